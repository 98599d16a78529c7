"use strict";
/**
 * Runs the vendor's published n8n node against the sandbox, one scenario after another.
 *
 *   node drive.js --list            the node's actions and its option loaders, as JSON
 *   node drive.js PLAN.json         run the plan's scenarios, print their results as JSON
 *
 * A plan is `{baseUrl, token, scenarios}`. A scenario is one thing a workflow (or the n8n
 * editor) makes the node do: `execute` an action, call an option loader (`loadOptions`,
 * `resourceMapping`), or the credential's `credentialTest`. A parameter given as
 * `{"$resourceMapper": <method>, "value": {...}}` is filled as the editor fills it: the
 * node's resource-mapper method supplies the field schema, the scenario the values.
 */

const path = require("node:path");
const fs = require("node:fs");
const { createContext } = require("./fake_context");

const PACKAGE = "@respond-io/n8n-nodes-respond-io";
const packageRoot = path.dirname(require.resolve(`${PACKAGE}/package.json`));
const { Respondio } = require(path.join(packageRoot, "dist/nodes/Respondio/Respondio.node.js"));
const { RespondIoApi } = require(path.join(packageRoot, "dist/credentials/RespondIoApi.credentials.js"));

const node = new Respondio().getNodeType(1);
const { properties } = node.description;

function listing() {
  const resources = properties.find((p) => p.name === "resource").options.map((o) => o.value);
  const actions = {};
  for (const resource of resources) {
    const operations = properties.find(
      (p) => p.name === "operation" && p.displayOptions.show.resource.includes(resource),
    );
    actions[resource] = operations.options.map((o) => o.value);
  }
  return {
    package: require(`${PACKAGE}/package.json`).version,
    actions,
    loadOptions: Object.keys(node.methods.loadOptions),
    resourceMapping: Object.keys(node.methods.resourceMapping),
  };
}

/** What an execute run returned: each item's json, and whether n8n would show an error. */
function items(output) {
  return (output || []).flat().map((item) => ({ json: item.json, error: item.error ? String(item.error.message) : null }));
}

async function run(plan, scenario) {
  const exchanges = [];
  const parameters = { ...scenario.parameters };
  const make = (values, loader) =>
    createContext({ properties, parameters: values, baseUrl: plan.baseUrl, token: plan.token, exchanges, loader });
  try {
    for (const [name, value] of Object.entries(parameters)) {
      if (value && typeof value === "object" && value.$resourceMapper) {
        const { fields } = await node.methods.resourceMapping[value.$resourceMapper].call(make(parameters, true));
        parameters[name] = {
          mappingMode: "defineBelow",
          value: value.value,
          matchingColumns: [],
          schema: fields,
          attemptToConvertTypes: false,
          convertFieldsToString: false,
        };
      }
    }
    const context = make(parameters, scenario.kind !== "execute");
    let output;
    if (scenario.kind === "execute") {
      output = items(await node.execute.call(context));
    } else if (scenario.kind === "loadOptions" || scenario.kind === "resourceMapping") {
      output = await node.methods[scenario.kind][scenario.method].call(context);
    } else if (scenario.kind === "credentialTest") {
      const { request } = new RespondIoApi().test;
      output = await context.helpers.httpRequest({
        url: request.baseURL + request.url,
        method: request.method,
        headers: { Authorization: `Bearer ${plan.token}` },
        json: true,
        timeout: request.timeout,
      });
    } else {
      throw new Error(`unknown scenario kind ${scenario.kind}`);
    }
    return { id: scenario.id, error: null, exchanges, output };
  } catch (error) {
    const detail = error && error.response ? ` ${JSON.stringify(error.response.data)}` : "";
    return { id: scenario.id, error: `${error && error.stack ? error.stack : error}${detail}`, exchanges, output: null };
  }
}

async function main() {
  if (process.argv[2] === "--list") {
    process.stdout.write(JSON.stringify(listing()));
    return;
  }
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf-8"));
  const results = [];
  for (const scenario of plan.scenarios) results.push(await run(plan, scenario));
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
