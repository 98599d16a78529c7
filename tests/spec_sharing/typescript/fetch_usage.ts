// A TypeScript client built with openapi-fetch on the types openapi-typescript generates from
// the bundled description. tests/spec_sharing/test_typescript.py compiles it with
// `tsc --noEmit --strict`: a real createContact body and an email with its body under `text`
// must type-check as they are, without a cast.
import createClient from "openapi-fetch";
import type { components, paths } from "./chatapi";

const client = createClient<paths>({
  baseUrl: "https://api.chatapi.net/v2",
  headers: { Authorization: "Bearer token" },
});

// Annotated, the body is checked for unknown fields too (openapi-fetch's generic `init`
// parameter does not check an inline literal for them).
const aisha: components["schemas"]["CreateContactRequest"] = {
  firstName: "Aisha",
  lastName: "Rahman",
  email: "aisha@example.com",
  language: "en",
  countryCode: "MY",
  custom_fields: [{ name: "order_count", value: 3 }],
};

export async function createAisha(): Promise<string> {
  const { data, error } = await client.POST("/contact/{identifier}", {
    params: { path: { identifier: "phone:+60123456789" } },
    body: aisha,
  });
  if (error === undefined) return data?.message ?? "";
  // A gateway's 502/503/504 page is HTML, declared as such: the error may be a string.
  return typeof error === "string" ? error : `${error.code}: ${error.message}`;
}

export async function replyByEmail(): Promise<number | undefined> {
  const { data } = await client.POST("/contact/{identifier}/message", {
    params: { path: { identifier: "email:aisha@example.com" } },
    body: {
      message: { type: "email", text: "Your order shipped.", replyToMessageId: 3000000001 },
    },
  });
  return data?.messageId;
}

type Message = paths["/contact/{identifier}/message/{messageId}"]["get"]["responses"][200]["content"]["application/json"];

// A message's content is a known kind or an UnknownMessage; the known kinds narrow on their
// tag, so each kind's own fields are reachable.
export function preview(content: components["schemas"]["KnownMessageContent"]): string {
  switch (content.type) {
    case "text":
      return content.text;
    case "email":
      return content.subject ?? content.text;
    default:
      return content.type;
  }
}

export function kind(message: Message): string {
  return message.message.type;
}
