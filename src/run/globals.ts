// What one op file may leave behind in a worker for the next file to inherit: the realm's shared
// objects. A file that replaces Math.abs or Array.prototype.map, adds a global or swaps a
// prototype changes what every later file in that worker computes, so the worker records these
// objects before its first file and compares them after each one; a difference retires the worker
// (worker-side.ts), and the next file gets a fresh realm.
//
// Recorded: every property of globalThis; for JavaScript's own globals (Math, JSON, Array, Number,
// the typed arrays …) their own properties, their prototype objects' and the prototype chains of
// both (Object.prototype, %TypedArray%, the iterator prototypes); the same for the namespaces op
// files import as 'gradcheck' (Tensor.prototype above all); process.env, by value. Node's and the
// web platform's globals (process, Buffer, URL, fetch …) are recorded as globalThis's properties
// only: what a check computes never goes through their methods, and walking them too would double
// the time the comparison takes after every file. One level down, not a deep walk: deep state (a
// module's own caches) is not something an op file reaches by accident.

type Key = string | symbol;

/** A property as recorded: enough to tell that it was replaced, redefined or removed. */
interface Slot {
  value: unknown;
  get: unknown;
  set: unknown;
  flags: number;
}

interface Recorded {
  target: object;
  /** The object's [[Prototype]]: swapping it changes every lookup that falls through. */
  proto: object | null;
  extensible: boolean;
  /** Its own keys, in the order Reflect.ownKeys gives them, and the property of each. */
  keys: Key[];
  slots: Slot[];
}

export interface GlobalsSnapshot {
  records: Recorded[];
  env: Map<string, string | undefined>;
}

/** The globals of the ECMAScript standard whose methods a check's arithmetic may go through. */
const LANGUAGE_GLOBALS = [
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Math', 'JSON', 'Reflect', 'Proxy',
  'Date', 'RegExp', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Atomics',
  'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Intl', 'Iterator',
];

const OBJECTS_OF_NOTE = (): unknown[] => [
  // Intrinsics no global names directly.
  Object.getPrototypeOf(Int8Array),
  Object.getPrototypeOf([][Symbol.iterator]()),
  Object.getPrototypeOf(new Map()[Symbol.iterator]()),
  Object.getPrototypeOf(''[Symbol.iterator]()),
  Object.getPrototypeOf(function* () {}),
  Object.getPrototypeOf(async function () {}),
];

function flagsOf(descriptor: PropertyDescriptor): number {
  return (descriptor.writable ? 1 : 0) | (descriptor.enumerable ? 2 : 0) | (descriptor.configurable ? 4 : 0);
}

function slotOf(descriptor: PropertyDescriptor): Slot {
  return { value: descriptor.value, get: descriptor.get, set: descriptor.set, flags: flagsOf(descriptor) };
}

// One descriptor at a time: Object.getOwnPropertyDescriptors is four times slower on these objects,
// and the comparison runs after every file.
function record(target: object): Recorded {
  const keys = Reflect.ownKeys(target);
  const slots = keys.map((key) => slotOf(Object.getOwnPropertyDescriptor(target, key)!));
  return { target, proto: Object.getPrototypeOf(target), extensible: Object.isExtensible(target), keys, slots };
}

/** The objects to record: globalThis, what it holds, their prototypes and the prototype chains. */
function objectsToRecord(extra: readonly object[]): Set<object> {
  const found = new Set<object>();
  const add = (value: unknown): void => {
    for (let object = value; isObject(object) && !found.has(object); object = Object.getPrototypeOf(object)) {
      found.add(object);
      const prototype = typeof object === 'function' ? ownData(object, 'prototype') : undefined;
      if (isObject(prototype)) add(prototype);
    }
  };
  add(globalThis);
  for (const key of LANGUAGE_GLOBALS) add(ownData(globalThis, key));
  for (const value of OBJECTS_OF_NOTE()) add(value);
  // A module namespace cannot be assigned to from outside; what it exports can be. (Read through
  // [[Get]]: a namespace's bindings are getters under some module runners, vitest's among them.)
  for (const namespace of extra) for (const key of Reflect.ownKeys(namespace)) add(Reflect.get(namespace, key));
  return found;
}

/** A data property's value, without running a getter (a lazy global would load its module). */
function ownData(target: object, key: Key): unknown {
  return Object.getOwnPropertyDescriptor(target, key)?.value;
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Records the realm's shared objects, and what the module namespaces in `extra` export (gradcheck's own). */
export function snapshotGlobals(extra: readonly object[] = []): GlobalsSnapshot {
  const records = [...objectsToRecord(extra)].map(record);
  return { records, env: new Map(Object.entries(process.env)) };
}

/**
 * What changed since the snapshot, as names a user recognizes ('Math.abs', 'globalThis.foo',
 * 'process.env.HOME'); empty when nothing did. Objects created since are not looked at: only a
 * change to what existed before can reach another file.
 */
export function changedGlobals(snapshot: GlobalsSnapshot): string[] {
  const changed: string[] = [];
  let names: Map<object, string> | undefined;
  const nameOf = (target: object): string => (names ??= namesOf(snapshot)).get(target) ?? 'an intrinsic object';
  for (const entry of snapshot.records) {
    const { target } = entry;
    if (Object.getPrototypeOf(target) !== entry.proto) changed.push(`the prototype of ${nameOf(target)}`);
    if (Object.isExtensible(target) !== entry.extensible) changed.push(`${nameOf(target)} (frozen or sealed)`);
    const keys = Reflect.ownKeys(target);
    // Usually the same keys in the same order: one pass. Otherwise, key by key to name what changed.
    const inOrder = keys.length === entry.keys.length && keys.every((key, i) => key === entry.keys[i]);
    const before = inOrder ? undefined : new Map(entry.keys.map((key, i) => [key, entry.slots[i]]));
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const was = before ? before.get(key) : entry.slots[i];
      before?.delete(key);
      if (!sameSlot(target, was, Object.getOwnPropertyDescriptor(target, key))) changed.push(`${nameOf(target)}${member(key)}`);
    }
    for (const key of before?.keys() ?? []) changed.push(`${nameOf(target)}${member(key)} (deleted)`);
  }
  const env = Object.keys(process.env);
  for (const key of env) if (snapshot.env.get(key) !== process.env[key]) changed.push(`process.env.${key}`);
  if (env.length !== snapshot.env.size) for (const key of snapshot.env.keys()) if (!(key in process.env)) changed.push(`process.env.${key} (deleted)`);
  return changed;
}

function sameSlot(target: object, before: Slot | undefined, after: PropertyDescriptor | undefined): boolean {
  if (before === undefined || after === undefined) return before === undefined && after === undefined;
  if (Object.is(before.value, after.value) && before.get === after.get && before.set === after.set && before.flags === flagsOf(after)) return true;
  // Node defines some globals (crypto, fetch, navigator …) as getters that replace themselves by a
  // plain value on first use: the same value, now stored, is not a change.
  if (typeof before.get === 'function' && after.get === undefined && 'value' in after) {
    try {
      return Object.is((before.get as () => unknown).call(target), after.value);
    } catch {
      return false;
    }
  }
  return false;
}

function member(key: Key): string {
  if (typeof key === 'symbol') return `[${key.description ?? 'symbol'}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** A readable name for each recorded object: Math, Array.prototype, globalThis. */
function namesOf(snapshot: GlobalsSnapshot): Map<object, string> {
  const names = new Map<object, string>([[globalThis, 'globalThis']]);
  const global = snapshot.records.find((entry) => entry.target === globalThis);
  for (const [i, key] of (global?.keys ?? []).entries()) {
    const slot = global!.slots[i];
    if (typeof key !== 'string' || !isObject(slot.value) || names.has(slot.value)) continue;
    names.set(slot.value, key);
    const prototype = typeof slot.value === 'function' ? ownData(slot.value, 'prototype') : undefined;
    if (isObject(prototype) && !names.has(prototype)) names.set(prototype, `${key}.prototype`);
  }
  for (const entry of snapshot.records) {
    if (names.has(entry.target)) continue;
    const constructor = ownData(entry.target, 'constructor');
    const constructorName = typeof constructor === 'function' ? constructor.name : '';
    if (constructorName) names.set(entry.target, `${constructorName}.prototype`);
    else if (typeof entry.target === 'function' && entry.target.name) names.set(entry.target, entry.target.name);
  }
  return names;
}
