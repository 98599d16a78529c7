// Must NOT compile: `status` is "open" or "close", never "closed" (see usage.ts).
import type { operations } from "./chatapi";

type StatusChange =
  operations["updateConversationStatus"]["requestBody"]["content"]["application/json"];

export const closed: StatusChange = { status: "closed" }; // rejected: not "open" | "close"
