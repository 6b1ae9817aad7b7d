import * as grpc from '@grpc/grpc-js';
import sharedMessages from '@eventstore/db-client/generated/shared_pb.js';
import streamsService from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsMessages from '@eventstore/db-client/generated/streams_pb.js';
import type { AppendReq, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb.js';

/**
 * A gRPC server that speaks EventStoreDB's Streams protocol only as far as a test scripts it: it records every
 * request and answers with what the test queued. It checks what the adapter puts on the wire through the real
 * client; it knows nothing of EventStoreDB's semantics and proves none of them.
 */
export interface StubEvent {
  streamName: string;
  id: string;
  revision: number;
  position: [commit: number, prepare: number];
  type?: string;
  data?: unknown;
  metadata?: unknown;
  created?: string;
}

export type ReadAnswer = { events: StubEvent[] } | { streamNotFound: string } | { subscription: StubEvent[] };
export type AppendAnswer = { currentRevision: number; position: [number, number] } | { wrongExpectedVersion: { currentRevision: number | null } };

export interface RecordedAppend {
  options: AppendReq.Options;
  messages: AppendReq.ProposedMessage[];
}

export interface StreamsStub {
  url: string;
  reads: ReadReq[];
  appends: RecordedAppend[];
  /** Answers, in order, for the next Read calls (stream reads, $all reads and subscriptions alike). */
  answerReads(...answers: ReadAnswer[]): void;
  answerAppends(...answers: AppendAnswer[]): void;
  close(): Promise<void>;
}

export async function startStreamsStub(): Promise<StreamsStub> {
  const reads: ReadReq[] = [];
  const appends: RecordedAppend[] = [];
  const readAnswers: ReadAnswer[] = [];
  const appendAnswers: AppendAnswer[] = [];
  const server = new grpc.Server();
  server.addService(streamsService.StreamsService, {
    read(call: grpc.ServerWritableStream<ReadReq, ReadResp>) {
      reads.push(call.request);
      const answer = readAnswers.shift();
      if (!answer) return call.destroy(new Error(`stub: no answer queued for read #${reads.length}`));
      if ('streamNotFound' in answer) {
        const notFound = new streamsMessages.ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(new sharedMessages.StreamIdentifier().setStreamName(Buffer.from(answer.streamNotFound)));
        call.write(new streamsMessages.ReadResp().setStreamNotFound(notFound));
        return call.end();
      }
      if ('subscription' in answer) {
        call.write(new streamsMessages.ReadResp().setConfirmation(new streamsMessages.ReadResp.SubscriptionConfirmation().setSubscriptionId('stub')));
        for (const event of answer.subscription) call.write(toReadResp(event));
        return; // a subscription stays open until the client cancels it
      }
      for (const event of answer.events) call.write(toReadResp(event));
      call.end();
    },
    append(call: grpc.ServerReadableStream<AppendReq, streamsMessages.AppendResp>, callback: grpc.sendUnaryData<streamsMessages.AppendResp>) {
      const recorded: RecordedAppend = { options: undefined as unknown as AppendReq.Options, messages: [] };
      call.on('data', (request: AppendReq) => {
        if (request.hasOptions()) recorded.options = request.getOptions()!;
        if (request.hasProposedMessage()) recorded.messages.push(request.getProposedMessage()!);
      });
      call.on('end', () => {
        appends.push(recorded);
        const answer = appendAnswers.shift();
        if (!answer) return callback({ code: grpc.status.INTERNAL, details: 'stub: no answer queued for append' });
        callback(null, toAppendResp(answer));
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    reads,
    appends,
    answerReads: (...answers) => readAnswers.push(...answers),
    answerAppends: (...answers) => appendAnswers.push(...answers),
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

function toReadResp(event: StubEvent): ReadResp {
  const { RecordedEvent } = streamsMessages.ReadResp.ReadEvent;
  const recorded = new RecordedEvent()
    .setId(new sharedMessages.UUID().setString(event.id))
    .setStreamIdentifier(new sharedMessages.StreamIdentifier().setStreamName(Buffer.from(event.streamName)))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.position[0]))
    .setPreparePosition(String(event.position[1]))
    .setData(Buffer.from(JSON.stringify(event.data ?? {})))
    .setCustomMetadata(Buffer.from(event.metadata === undefined ? '' : JSON.stringify(event.metadata)));
  const ticks = BigInt(Date.parse(event.created ?? '2030-01-01T00:00:00.000Z')) * 10_000n;
  recorded
    .getMetadataMap()
    .set('type', event.type ?? 'AppointmentNoted')
    .set('content-type', 'application/json')
    .set('created', String(ticks));
  const readEvent = new streamsMessages.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.position[0]));
  return new streamsMessages.ReadResp().setEvent(readEvent);
}

function toAppendResp(answer: AppendAnswer): streamsMessages.AppendResp {
  const response = new streamsMessages.AppendResp();
  if ('wrongExpectedVersion' in answer) {
    const wrong = new streamsMessages.AppendResp.WrongExpectedVersion();
    const current = answer.wrongExpectedVersion.currentRevision;
    if (current === null) wrong.setCurrentNoStream(new sharedMessages.Empty());
    else wrong.setCurrentRevision(String(current));
    wrong.setExpectedAny(new sharedMessages.Empty());
    return response.setWrongExpectedVersion(wrong);
  }
  const position = new streamsMessages.AppendResp.Position().setCommitPosition(String(answer.position[0])).setPreparePosition(String(answer.position[1]));
  return response.setSuccess(new streamsMessages.AppendResp.Success().setCurrentRevision(String(answer.currentRevision)).setPosition(position));
}
