import type { AllStreamResolvedEvent, EventStoreDBClient, Filter, Position as EsdbPosition, StreamingRead } from '@eventstore/db-client';
import readStreamModule from '@eventstore/db-client/dist/streams/utils/ReadStream.js';
import convertModule from '@eventstore/db-client/dist/utils/convertGrpcEvent.js';
import sharedMessages from '@eventstore/db-client/generated/shared_pb.js';
import streamsService from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsMessages from '@eventstore/db-client/generated/streams_pb.js';
import type { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb.js';

/**
 * A forward read of `$all` with a server-side filter. The server's gRPC read takes a filter (not only its
 * subscriptions do), but client v6's `readAll` always sends "no filter"; its
 * successor (@kurrent/kurrentdb-client) exposes the filter only through a native bridge. So this file builds the
 * same ReadReq that `readAll` builds, with the filter set, and sends it through the client's own connection
 * (channel, credentials, leader discovery, error conversion). It relies on two protected members of the client,
 * which is why it is kept in one place: v6 is the last release of @eventstore/db-client, so they stay as they are.
 */
interface ClientConnection {
  GRPCStreamCreator<T>(service: typeof StreamsClient, debugName: string, creator: (client: StreamsClient) => T): () => Promise<T>;
  callArguments(options: object, callOptions?: object): [unknown, unknown];
}

export interface FilteredAllRead {
  /** Exclusive or inclusive, as the server does it: callers drop what they already have. */
  from: EsdbPosition | null;
  maxCount: number;
  filter: Filter;
}

export function buildFilteredReadRequest({ from, maxCount, filter }: FilteredAllRead): ReadReq {
  const { ReadReq } = streamsMessages;
  const { Empty } = sharedMessages;
  const all = new ReadReq.Options.AllOptions();
  if (from === null) {
    all.setStart(new Empty());
  } else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(from.commit.toString(10));
    position.setPreparePosition(from.prepare.toString(10));
    all.setPosition(position);
  }
  const uuid = new ReadReq.Options.UUIDOption();
  uuid.setString(new Empty());
  const options = new ReadReq.Options();
  options.setAll(all);
  options.setResolveLinks(false);
  options.setCount(String(maxCount));
  options.setUuidOption(uuid);
  options.setReadDirection(ReadReq.Options.ReadDirection.FORWARDS);
  options.setFilter(toFilterOptions(filter));
  const request = new ReadReq();
  request.setOptions(options);
  return request;
}

export function readAllFiltered(client: EventStoreDBClient, read: FilteredAllRead): StreamingRead<AllStreamResolvedEvent> {
  const connection = client as unknown as ClientConnection;
  const request = buildFilteredReadRequest(read);
  const createStream = connection.GRPCStreamCreator(streamsService.StreamsClient, 'readAll', (grpcClient) =>
    grpcClient.read(request, ...(connection.callArguments({}, { deadline: Infinity }) as [never, never])),
  );
  return new readStreamModule.ReadStream(createStream, convertModule.convertGrpcEvent, {}) as unknown as StreamingRead<AllStreamResolvedEvent>;
}

function toFilterOptions(filter: Filter): ReadReq.Options.FilterOptions {
  const { FilterOptions } = streamsMessages.ReadReq.Options;
  const expression = new FilterOptions.Expression();
  if ('prefixes' in filter) expression.setPrefixList(filter.prefixes);
  if ('regex' in filter) expression.setRegex(filter.regex);
  const options = new FilterOptions();
  if (filter.filterOn === 'streamName') options.setStreamIdentifier(expression);
  else options.setEventType(expression);
  // The search window: without a maximum the server keeps scanning until it has `count` events or reaches the end.
  options.setCount(new sharedMessages.Empty());
  options.setCheckpointintervalmultiplier(filter.checkpointInterval);
  return options;
}
