/**
 * Field kinds for the typed decode, compiled once from the arktype schema's JSON Schema so
 * the schema stays the single source of truth for which key has which type. The JSON Schema is
 * the committed `config.schema.json` — arktype's output, generated at build time by
 * `npm run schema` and checked fresh by CI and a unit test — so a running bridge never pays for
 * building the arktype types (most of its start-up before this).
 */
import committedSchema from "../../config.schema.json" with { type: "json" };
import { DURATION_PATTERN } from "../model/duration.ts";

export type Kind =
  | { k: "string" }
  | { k: "bool" }
  | { k: "int" }
  | { k: "float" }
  | { k: "duration" }
  | { k: "list"; item: Kind }
  | { k: "map"; value: Kind }
  | { k: "object"; fields: Map<string, Kind>; nullable: boolean };

type Js = Record<string, unknown>;

export function compileKind(js: Js): Kind {
  if (Array.isArray(js.anyOf)) {
    const branches = js.anyOf as Js[];
    const obj = branches.find((b) => b.type === "object");
    if (obj && branches.some((b) => b.type === "null")) {
      const inner = compileKind(obj);
      if (inner.k === "object") return { ...inner, nullable: true };
    }
    throw new Error(`schema: unsupported anyOf ${JSON.stringify(js)}`);
  }
  switch (js.type) {
    case "string":
      return js.pattern === DURATION_PATTERN ? { k: "duration" } : { k: "string" };
    case "boolean":
      return { k: "bool" };
    case "integer":
      return { k: "int" };
    case "number":
      return { k: "float" };
    case "array":
      return { k: "list", item: compileKind(js.items as Js) };
    case "object": {
      if (js.properties) {
        const fields = new Map<string, Kind>();
        for (const [name, sub] of Object.entries(js.properties as Record<string, Js>)) {
          fields.set(name, compileKind(sub));
        }
        return { k: "object", fields, nullable: false };
      }
      if (js.additionalProperties && typeof js.additionalProperties === "object") {
        return { k: "map", value: compileKind(js.additionalProperties as Js) };
      }
      throw new Error(`schema: unsupported object ${JSON.stringify(js)}`);
    }
    default:
      throw new Error(`schema: unsupported type ${JSON.stringify(js)}`);
  }
}

let root: Kind | undefined;
export function configKind(): Kind {
  root ??= compileKind(committedSchema as Js);
  return root;
}
