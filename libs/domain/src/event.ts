/** Events and commands are plain JSON-safe data: times are ISO 8601 strings, never Date objects. */
export type Event<Type extends string, Data extends Record<string, unknown>> = Readonly<{ type: Type; data: Readonly<Data> }>;

export type Command<Type extends string, Data extends Record<string, unknown>> = Readonly<{ type: Type; data: Readonly<Data> }>;
