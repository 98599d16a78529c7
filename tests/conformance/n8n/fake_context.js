"use strict";
/**
 * A minimal stand-in for the n8n execution context the vendor's Respond.io node runs in.
 *
 * It imitates only the calls the published node (@respond-io/n8n-nodes-respond-io 1.3.6)
 * makes on `this`, with n8n's semantics as far as the node can tell them apart:
 *
 * - getNodeParameter(name, itemIndex, fallback) when running an action, and
 *   getNodeParameter(name, fallback) in the editor's option loaders (n8n's
 *   ILoadOptionsFunctions has no item index): the value the workflow gives the parameter;
 *   else the default of the node's own property of that name whose `displayOptions.show`
 *   matches the other parameters (what n8n stores for a parameter left untouched in the
 *   editor); else the fallback; with no fallback, an Error, as n8n throws.
 * - getCredentials(name): `{ apiKey }`, the node's credential type `respondIoApi`.
 * - getInputData(): one empty item.  getNode(): a node record for error classes.
 * - getWorkflowStaticData('global'): one plain object.  logger: info/warn/error/debug.
 * - helpers.httpRequest(options) and helpers.httpRequestWithAuthentication(type, options),
 *   as n8n-core's request helper behaves: `url`, `method`, `headers`, `body`, `json`,
 *   `timeout`; no body is sent on GET; a JSON answer is parsed; any non-2xx status rejects
 *   with an axios-style error (`isAxiosError`, `response.status`, `response.data`).
 *   Requests to the vendor's base URL go to the sandbox instead.
 *
 * Nothing else of n8n is imitated: no expressions, no item pairing, no binary data.
 */

const VENDOR_BASE_URL = "https://api.respond.io/v2";

/** Does a property's `displayOptions.show` hold for the parameters resolved so far? */
function shown(property, lookup) {
  const show = property.displayOptions && property.displayOptions.show;
  if (!show) return true;
  return Object.entries(show).every(([name, allowed]) => {
    const value = lookup(name);
    return allowed.some((option) => {
      if (option && typeof option === "object" && option._cnd) {
        if ("exists" in option._cnd) return (value !== undefined && value !== "") === option._cnd.exists;
        return false;
      }
      return option === value;
    });
  });
}

/**
 * The execution context of one run of the node.
 *
 * @param {object} options
 * @param {object[]} options.properties the node's `description.properties`
 * @param {object} options.parameters the workflow's values for the node's parameters
 * @param {string} options.baseUrl the sandbox's base URL (ending in /v2)
 * @param {string} options.token the access token the credential holds
 * @param {object[]} options.exchanges where each HTTP exchange is recorded
 * @param {boolean} options.loader true for an option loader's context (no item index)
 */
function createContext({ properties, parameters, baseUrl, token, exchanges, loader }) {
  const staticData = {};

  function resolve(name, depth) {
    if (Object.prototype.hasOwnProperty.call(parameters, name)) return parameters[name];
    if (depth > 8) return undefined;
    const property = properties.find(
      (candidate) => candidate.name === name && shown(candidate, (other) => resolve(other, depth + 1)),
    );
    return property ? property.default : undefined;
  }

  async function httpRequest(options) {
    const method = String(options.method || "GET").toUpperCase();
    let url = String(options.url);
    if (url.startsWith(VENDOR_BASE_URL)) url = baseUrl + url.slice(VENDOR_BASE_URL.length);
    const headers = { ...(options.headers || {}) };
    if (options.json) headers.Accept = "application/json";
    let body;
    if (options.body !== undefined && method !== "GET") {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] = headers["Content-Type"] || "application/json";
    }
    const exchange = {
      method,
      path: new URL(url).pathname + new URL(url).search,
      requestBody: body === undefined ? null : JSON.parse(body),
    };
    exchanges.push(exchange);
    const response = await fetch(url, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(options.timeout || 30000),
    });
    const text = await response.text();
    let data = text;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON: axios hands the text over as it is
    }
    exchange.status = response.status;
    exchange.responseBody = data;
    if (response.status < 200 || response.status > 299) {
      const error = new Error(`Request failed with status code ${response.status}`);
      error.name = "AxiosError";
      error.isAxiosError = true;
      error.response = { status: response.status, data, headers: Object.fromEntries(response.headers) };
      throw error;
    }
    return data;
  }

  const context = {
    getNodeParameter(name, ...rest) {
      const value = resolve(name, 0);
      if (value !== undefined) return value;
      const fallbackAt = loader ? 0 : 1;
      if (rest.length > fallbackAt) return rest[fallbackAt];
      throw new Error(`Could not get parameter "${name}"`);
    },
    async getCredentials(type) {
      if (type !== "respondIoApi") throw new Error(`Node does not have credentials of type "${type}"`);
      return { apiKey: token };
    },
    getInputData() {
      return [{ json: {} }];
    },
    getNode() {
      return { name: "Respond.io", type: "respondio", typeVersion: 1, parameters };
    },
    getWorkflowStaticData(type) {
      if (type !== "global") throw new Error(`static data of type ${type} is not imitated`);
      return staticData;
    },
    logger: { info() {}, warn() {}, error() {}, debug() {} },
    helpers: {
      httpRequest,
      async httpRequestWithAuthentication(credentialsType, options) {
        const { apiKey } = await context.getCredentials(credentialsType);
        return httpRequest({ ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${apiKey}` } });
      },
    },
  };
  return context;
}

module.exports = { createContext, VENDOR_BASE_URL };
