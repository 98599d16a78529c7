// Must NOT compile: a text message without its text (see usage.ts for how this is run).
import type { operations } from "./chatapi";

type SendMessage = operations["sendMessage"]["requestBody"]["content"]["application/json"];

export const noText: SendMessage = {
  message: { type: "text" }, // rejected: property 'text' is missing
};
