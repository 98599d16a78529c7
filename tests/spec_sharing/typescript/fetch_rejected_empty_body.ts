// createContact with an empty body: firstName is required, so tsc must refuse it.
import createClient from "openapi-fetch";
import type { paths } from "./chatapi";

const client = createClient<paths>({ baseUrl: "https://api.chatapi.net/v2" });

export const created = client.POST("/contact/{identifier}", {
  params: { path: { identifier: "phone:+60123456789" } },
  body: {}, // rejected: firstName is missing
});
