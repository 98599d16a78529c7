// A createContact body with a misspelled field: tsc must refuse the unknown property.
import createClient from "openapi-fetch";
import type { components, paths } from "./chatapi";

const client = createClient<paths>({ baseUrl: "https://api.chatapi.net/v2" });

const body: components["schemas"]["CreateContactRequest"] = {
  firstName: "Aisha",
  lastNmae: "Rahman", // rejected: no such field
};

export const created = client.POST("/contact/{identifier}", {
  params: { path: { identifier: "phone:+60123456789" } },
  body,
});
