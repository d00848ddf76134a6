/**
 * Compile-time checks that keep a record's field list in one place: the editable fields a contract
 * declares must all come back in the record's output, so a new field cannot be accepted and then
 * silently dropped.
 */

/** `true` when every key of `Editable` is a key of `Output`; otherwise names the missing ones. */
export type EditableInOutput<Editable, Output> = [Exclude<keyof Editable, keyof Output>] extends [never]
  ? true
  : { missingFromOutput: Exclude<keyof Editable, keyof Output> };
