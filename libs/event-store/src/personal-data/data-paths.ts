/**
 * Copy-on-write edits of JSON data at paths: only the objects and arrays along a path are copied, so neither the
 * caller's event nor a row another reader holds is changed.
 */
type Container = Record<string | number, unknown>;

/** `data` with the value at each path taken out, and those values in path order. */
export function takeOut(data: Record<string, unknown>, paths: readonly (readonly (string | number)[])[]): { rest: Record<string, unknown>; values: unknown[] } {
  const values: unknown[] = [];
  let rest = data;
  for (const path of paths) {
    values.push(read(rest, path));
    rest = edit(rest, path, (parent, last) => void delete parent[last]);
  }
  return { rest, values };
}

/** `data` with `valueOf(index)` put back at each path (paths whose parents are gone are skipped). */
export function putBack(data: Record<string, unknown>, paths: readonly (readonly (string | number)[])[], valueOf: (index: number) => unknown): Record<string, unknown> {
  let result = data;
  paths.forEach((path, index) => {
    result = edit(result, path, (parent, last) => {
      parent[last] = valueOf(index);
    });
  });
  return result;
}

function read(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const step of path) value = isContainer(value) ? value[step] : undefined;
  return value;
}

function edit(data: Record<string, unknown>, path: readonly (string | number)[], change: (parent: Container, last: string | number) => void): Record<string, unknown> {
  const root = { ...data };
  let parent: Container = root;
  for (const step of path.slice(0, -1)) {
    const child = parent[step];
    if (!isContainer(child)) return data;
    parent[step] = Array.isArray(child) ? [...child] : { ...child };
    parent = parent[step] as Container;
  }
  change(parent, path[path.length - 1]);
  return root;
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}
