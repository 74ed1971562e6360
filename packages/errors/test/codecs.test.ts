import { describe, expect, it } from "vitest";
import {
  AppError,
  camaraCodec,
  camaraCodes,
  citibanamexCodec,
  citibanamexCodes,
  createImiconnectCodec,
  errorKinds,
  httpStatusOfKind,
  imiconnectCodes,
  masstackCodec,
  masstackCodes,
  problemCodec,
} from "../src/index.js";

const now = new Date("2026-11-22T10:00:00.000Z");

// The seed's documented codes, written out here (not read from the codec) so a changed table fails.
const camaraDocumented: [code: string, status: number, message: string][] = [
  ["INVALID_ARGUMENT", 400, "Client specified an invalid argument, request body or query param"],
  ["UNAUTHENTICATED", 401, "Request not authenticated due to missing, invalid, or expired credentials. A new authentication is required."],
  ["PERMISSION_DENIED", 403, "Client does not have sufficient permissions to perform this action."],
  ["NOT_FOUND", 404, "The specified resource is not found."],
  ["IDENTIFIER_NOT_FOUND", 404, "phoneNumber not found."],
  ["SERVICE_NOT_APPLICABLE", 422, "The service is not available for the provided identifier."],
  ["MISSING_IDENTIFIER", 422, "The phone number cannot be identified."],
  ["UNNECESSARY_IDENTIFIER", 422, "The phone number is already identified by the access token."],
  ["CUSTOMER_INSIGHTS.SCALE_TYPE_NOT_SUPPORTED", 422, "Indicated parameter `scoringType` is not supported."],
  ["CUSTOMER_INSIGHTS.INVALID_IDENTIFIERS", 422, "The request contains invalid data."],
  ["CUSTOMER_INSIGHTS.ID_DOCUMENT_NOT_SUPPORTED", 422, "Indicated parameter `idDocument` is not supported"],
  ["CUSTOMER_INSIGHTS.ID_DOCUMENT_REQUIRED", 422, "The `idDocument` is required to perform the properties validation."],
  ["TOO_MANY_REQUESTS", 429, "Rate limit reached."],
];

describe("CAMARA codec", () => {
  it.each(camaraDocumented)("renders %s as %i with the seed's message", (code, status, message) => {
    const kind = camaraCodes.entry(code).kind;
    const rendered = camaraCodec.render(new AppError(kind, { vendorCode: code }), { correlator: "abc-123" });
    expect(rendered.status).toBe(status);
    expect(rendered.body).toEqual({ status, code, message });
    expect(rendered.headers["content-type"]).toBe("application/json");
    expect(rendered.headers["x-correlator"]).toBe("abc-123");
    expect(camaraCodec.parse(status, rendered.body).vendorCode).toBe(code);
  });

  it("keeps a syntax error's detail in message and the documented text otherwise", () => {
    const bad = camaraCodec.render(new AppError("invalid_argument", { detail: "phoneNumber: invalid" }), {});
    expect(bad.body).toEqual({ status: 400, code: "INVALID_ARGUMENT", message: "phoneNumber: invalid" });
    const notFound = camaraCodec.render(new AppError("not_found", { detail: "internal words" }), {});
    expect(notFound.body).toEqual({ status: 404, code: "NOT_FOUND", message: "The specified resource is not found." });
  });

  it("renders a body over the limit as 400 INVALID_ARGUMENT (CAMARA documents no 413)", () => {
    expect(camaraCodec.render(new AppError("payload_too_large"), {}).status).toBe(400);
  });

  it("omits x-correlator when the request had none", () => {
    expect(camaraCodec.render(new AppError("internal"), {}).headers["x-correlator"]).toBeUndefined();
  });
});

const citibanamexDocumented: [code: string, status: number, type: string, details: string, moreInfo?: string][] = [
  ["invalidRequest", 400, "error", "Missing or invalid Parameters"],
  ["unAuthorized", 401, "error", "Authorization credentials are missing or invalid"],
  ["accessNotConfigured", 403, "error", "The request operation is not configured to access this resource", "Channel/Country/Business provided in the request is not supported currently"],
  ["resourceNotFound", 404, "error", "The requested resource was not found", "Empty resource/resource not found"],
  ["businessValidationFailed", 422, "error", "Business validation error occured on one or more parameters"],
  ["serverUnavailable", 500, "fatal", "The request failed due to an internal error/server unavailability"],
];

describe("Citibanamex codec", () => {
  it.each(citibanamexDocumented)("renders %s as %i, type %s", (code, status, type, details, moreInfo) => {
    const kind = citibanamexCodes.entry(code).kind;
    const rendered = citibanamexCodec.render(new AppError(kind, { vendorCode: code }), {
      requestUuid: "0f8fad5b-d9cb-469f-a165-70867728950e",
      now,
    });
    expect(rendered.status).toBe(status);
    expect(rendered.body).toEqual({
      type,
      code,
      details,
      ...(moreInfo ? { moreInfo } : {}),
      uuid: "0f8fad5b-d9cb-469f-a165-70867728950e",
      timestamp: "2026-11-22T10:00:00.000Z",
    });
    expect(citibanamexCodec.parse(status, rendered.body).kind).toBe(kind);
  });

  it("names the offending header in location", () => {
    const rendered = citibanamexCodec.render(new AppError("invalid_argument", { field: "countryCode", detail: "countryCode must be ISO 3166 alpha-2" }), { now });
    expect(rendered.body).toMatchObject({ type: "error", code: "invalidRequest", location: "countryCode", details: "countryCode must be ISO 3166 alpha-2" });
  });

  it("marks a body that is not JSON at all as type invalid", () => {
    const rendered = citibanamexCodec.render(new AppError("invalid_argument", { reason: "malformed_body", field: "body" }), { now });
    expect(rendered.body).toMatchObject({ type: "invalid", code: "invalidRequest" });
  });

  it("never lets a server failure's detail through", () => {
    const rendered = citibanamexCodec.render(new AppError("unavailable", { detail: "connect ECONNREFUSED 10.0.0.1" }), { now });
    expect(rendered.body).toMatchObject({ type: "fatal", code: "serverUnavailable", details: "The request failed due to an internal error/server unavailability" });
    expect(JSON.stringify(rendered.body)).not.toContain("ECONNREFUSED");
  });

  it("renders rate limiting as 429 with Retry-After", () => {
    const rendered = citibanamexCodec.render(new AppError("rate_limited", { retryAfterSeconds: 30 }), { now });
    expect(rendered.status).toBe(429);
    expect(rendered.headers["retry-after"]).toBe("30");
  });
});

const masstackDocumented: [code: string, status: number, title: string, message: string][] = [
  ["MCUS.999.998", 400, "Bad request", "Bad request"],
  ["MCUS.999.996", 401, "Unauthorized", "Unauthorized"],
  ["MCUS.999.995", 403, "Forbidden", "Forbidden"],
  ["MCUS.999.997", 404, "Resource not found", "Resource not found"],
  ["MCUS.999.994", 409, "Conflict", "The resource already exists"],
  ["MCUS.999.999", 500, "Unexpected error", "Unexpected error"],
  ["MCUS.001.005", 503, "Database error", "Connection lost"],
  ["MCUS.001.009", 504, "Database error", "Statement timeout"],
];

describe("MasStack codec", () => {
  it.each(masstackDocumented)("renders %s as %i", (code, status, title, message) => {
    const kind = masstackCodes.entry(code).kind;
    const rendered = masstackCodec.render(new AppError(kind), {});
    expect(rendered.status).toBe(status);
    expect(rendered.body).toEqual({ errors: [{ error: { code, title, ref: "http://", message } }] });
    expect(masstackCodec.parse(status, rendered.body).kind).toBe(kind);
  });

  it("maps a statement timeout and a lost connection to their database codes", () => {
    expect(masstackCodec.render(new AppError("timeout"), {}).status).toBe(504);
    expect(masstackCodec.render(new AppError("unavailable"), {}).status).toBe(503);
  });
});

const imiconnectDocumented: [code: string, description: string, httpStatus: number][] = [
  ["7000", "Invalid JSON", 400],
  ["7001", "Authentication failed", 401],
  ["7002", "Service Key Missing", 401],
  ["7003", "Mandatory parameters missing", 400],
  ["7006", "Internal error", 500],
  ["7011", "Invalid Attribute Value", 400],
  ["7012", "Batch size limit exceeded", 400],
  ["7014", "Customer not found", 404],
  ["7203", "Customer not found", 404],
];

describe("IMIconnect codec", () => {
  const vendor = createImiconnectCodec("vendor");
  const http = createImiconnectCodec("http");

  it.each(imiconnectDocumented)("renders %s (%s) as HTTP 200 in vendor mode and %i in http mode", (code, description, httpStatus) => {
    const error = new AppError(imiconnectCodes.entry(code).kind, { vendorCode: code });
    const a = vendor.render(error, { transid: "d2708309-75ab-4f18-b5c6-3f23ab9afd43" });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ Status: 1, Description: description, code, transid: "d2708309-75ab-4f18-b5c6-3f23ab9afd43" });
    expect(http.render(error, { transid: "t" }).status).toBe(httpStatus);
    expect(vendor.parse(200, a.body).vendorCode).toBe(code);
  });

  it("tells malformed JSON (7000) from missing or invalid parameters (7003)", () => {
    const code = (e: AppError) => (vendor.render(e, {}).body as { code: string }).code;
    expect(code(new AppError("invalid_argument", { reason: "malformed_body" }))).toBe("7000");
    expect(code(new AppError("invalid_argument", { reason: "missing" }))).toBe("7003");
    expect(code(new AppError("invalid_argument", { reason: "invalid_value" }))).toBe("7003");
    expect(code(new AppError("invalid_argument", { vendorCode: "7011" }))).toBe("7011");
  });
});

describe("RFC 9457 problem codec", () => {
  it.each(errorKinds)("renders %s with its HTTP status and application/problem+json", (kind) => {
    const rendered = problemCodec.render(new AppError(kind, { detail: "what to fix" }), { instance: "req-1" });
    expect(rendered.status).toBe(httpStatusOfKind[kind]);
    expect(rendered.headers["content-type"]).toBe("application/problem+json");
    expect(rendered.body).toMatchObject({ type: `urn:insights:problem:${kind.replaceAll("_", "-")}`, status: rendered.status, instance: "req-1" });
    expect(problemCodec.parse(rendered.status, rendered.body).kind).toBe(kind);
  });

  it.each(["internal", "unavailable", "timeout"] as const)("gives a %s error a fixed detail, never its own", (kind) => {
    const body = problemCodec.render(new AppError(kind, { detail: "secret: pool exhausted at db-3" }), {}).body as Record<string, unknown>;
    expect(body.detail).toEqual(expect.any(String));
    expect(body.detail).not.toContain("secret");
  });
});
