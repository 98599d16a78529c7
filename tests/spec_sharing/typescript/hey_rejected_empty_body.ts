// createContact with an empty body, through the @hey-api SDK: tsc must refuse it.
import { createContact } from "./hey/sdk.gen";

export const created = createContact({
  path: { identifier: "phone:+60123456789" },
  body: {}, // rejected: firstName is missing
});
