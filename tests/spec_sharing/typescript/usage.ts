// A TypeScript client's view of ChatAPI v2, from types that openapi-typescript generates from
// the bundled description. tests/spec_sharing/test_typescript.py generates `chatapi.d.ts` next
// to a copy of this file in a temporary folder, then runs `tsc --noEmit --strict` on it: it
// must compile. The files named rejected_*.ts must not.
import type { components, operations, paths } from "./chatapi";

type Schemas = components["schemas"];
type JsonBody<Op extends keyof operations> = operations[Op] extends {
  requestBody: { content: { "application/json": infer Body } };
}
  ? Body
  : never;

// sendMessage: two of the six kinds of message, told apart by `message.type`.
export const textMessage: JsonBody<"sendMessage"> = {
  message: { type: "text", text: "Hello {{$contact.name}}, your order has shipped." },
};

export const templateMessage: JsonBody<"sendMessage"> = {
  channelId: 5501,
  message: {
    type: "whatsapp_template",
    template: {
      name: "order_update",
      languageCode: "en",
      components: [{ type: "body", parameters: [{ type: "text", text: "#10234" }] }],
    },
  },
};

// The union narrows on the tag, so each kind's own fields are reachable without a cast.
export function preview(message: Schemas["OutgoingMessage"]): string {
  switch (message.type) {
    case "text":
      return message.text;
    case "whatsapp_template":
      return `${message.template.name} (${message.template.languageCode})`;
    default:
      return message.type;
  }
}

// listContacts: paging in the query, the search and a `$and` filter in the body.
export const firstPage: NonNullable<operations["listContacts"]["parameters"]["query"]> = {
  limit: 50,
};

export const vipCustomersOfNovember: JsonBody<"listContacts"> = {
  search: "aisha",
  timezone: "Asia/Kuala_Lumpur",
  filter: {
    $and: [
      { category: "contactTag", field: "tags", operator: "hasAnyOf", value: ["vip"] },
      {
        category: "contactField",
        field: "created_at",
        operator: "isTimestampBetween",
        value: { from: 1730419200, to: 1733011199 },
      },
      { category: "lifecycle", operator: "exists" },
    ],
  },
};

// The same operation, reached by path and method rather than by operationId.
export const samePage: paths["/contact/list"]["post"]["parameters"]["query"] = firstPage;

type ContactPage = operations["listContacts"]["responses"][200]["content"]["application/json"];

export function names(page: ContactPage): string[] {
  return page.items.map((contact) => `${contact.firstName} ${contact.lastName ?? ""}`.trim());
}

// Rate limits: every answer carries the limit and what remains of it; 429 says how long to wait.
type Sent = operations["sendMessage"]["responses"][200];
type Throttled = operations["sendMessage"]["responses"][429];

export function budget(answer: Sent): { limit: number; remaining: number; messageId: number } {
  const limit: number = answer.headers["X-RateLimit-Limit"];
  const remaining: number = answer.headers["X-RateLimit-Remaining"];
  return { limit, remaining, messageId: answer.content["application/json"].messageId };
}

export function waitSeconds(answer: Throttled): number {
  const code: number | string = answer.content["application/json"].code;
  return Number(code) === 429 ? answer.headers["Retry-After"] : 0;
}

// updateConversationStatus: the status is one of two values.
export const closeIt: JsonBody<"updateConversationStatus"> = {
  status: "close",
  category: "Resolved",
};
