// What the provider sends and reads, compared with what an Add-ons Service says of itself (its
// OpenAPI document) and with what it answered (the list): the fields of an add-on answer (by name,
// whatever their letter case), the status values, the upload's content type and form field, and
// the configuration's body. Each difference comes with the route-profile setting that fixes it,
// or says plainly that no setting can. The provider's side comes from clients/addonsContract.ts,
// the same place the Add-ons client reads answers by.
import { FORM_FIELD_NAME } from "../../config/routeProfile";
import {
  ADDON_ANSWERS,
  ADDON_FIELDS,
  addonStatusOf,
  DOCUMENTED_STATUS_SPELLINGS,
  EXTENSION_FIELDS,
  fieldValue,
  letterCaseOf,
  statusSpellingOf,
  type AnswerField,
  type ConfigurationTransport,
} from "../../clients/addonsContract";
import type { Verdict } from "../report";
import { isJsonType, isMultipart, isObject, type Body, type Json, type OpenApiDocument } from "./openApiDocument";
import type { AddonRouteKey } from "./routeMatching";

/** The route-profile settings of what the provider sends, as they are in force. */
export interface RequestSettings {
  addonPackageField: string;
  addonConfigurationTransport: ConfigurationTransport;
  addonConfigurationField: string;
}

export interface ContractInput {
  /** The service's own document, when doctor found one. */
  document?: OpenApiDocument;
  /** The document's path per route key (the routes in force, or proposed), where it has one. */
  paths: Partial<Record<AddonRouteKey, string>>;
  current: RequestSettings;
  /** The list route's answer as the service gave it, when it was read. */
  listAnswer?: unknown[];
}

/** One compared area, a check without its group (addonsChecks adds it, and the command of the fix). */
export interface Finding {
  id: "addons.fields" | "addons.statuses" | "addons.upload" | "addons.configuration";
  title: string;
  verdict: Verdict;
  summary: string;
  cause?: string;
  /** What to do, in words; the command that sets `settings` is added by the caller. */
  fix?: string;
  /** Route-profile settings (tridion:routes keys) that fix it. */
  settings?: Record<string, string>;
  /** True when no setting can fix it (the fix then says to report it). */
  noSetting?: boolean;
  details: Record<string, unknown>;
}

export interface ContractComparison {
  findings: Finding[];
  /** Every setting the findings propose. */
  settings: Record<string, string>;
  /** The status values seen: in the document's enums and in the list answer. */
  statuses: { document: unknown[]; answers: unknown[] };
  /** The letter case of the add-on answers' property names, when it shows. */
  letterCase?: string;
}

/** What a user does when no setting can help. */
export const REPORT_IT =
  "No setting can fix this: report it to the maintainers of pulumi-tridion, attaching the file `npx pulumi-tridion doctor --report FILE` writes (it holds no secret, token, host name or add-on content).";

/** A form field name the route profile accepts (a token of letters, digits, `_`, `-`, `.`). */

const quoteList = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(", ");

// ---- fields ---------------------------------------------------------------------------------

interface FieldProblems {
  what: string;
  missingRequired: string[];
  missingOptional: AnswerField[];
  mistyped: string[];
}

/** The type a JSON schema property has, in the contract's words (undefined: it does not say). */
function schemaType(property: Json): string | undefined {
  switch (property.type) {
    case "integer":
    case "number":
      return "number";
    case "string":
    case "boolean":
    case "array":
    case "object":
      return property.type;
    default:
      return Array.isArray(property.enum) && property.enum.every((v) => typeof v === "string") ? "string" : undefined;
  }
}

function valueType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** The contract's fields against named properties (documented ones: name -> schema; answered ones: name -> value). */
function compareFields<T>(
  fields: readonly AnswerField[],
  names: Record<string, T>,
  typeOf: (value: T) => string | undefined,
  what: string,
): FieldProblems & { found: Record<string, string> } {
  const problems: FieldProblems & { found: Record<string, string> } = {
    what,
    missingRequired: [],
    missingOptional: [],
    mistyped: [],
    found: {},
  };
  const keys = Object.keys(names);
  for (const field of fields) {
    const key = keys.find((k) => k === field.name) ?? keys.find((k) => k.toLowerCase() === field.name.toLowerCase());
    if (key === undefined) {
      if (field.required) problems.missingRequired.push(field.name);
      else problems.missingOptional.push(field);
      continue;
    }
    problems.found[field.name] = key;
    const type = typeOf(names[key]);
    if (type !== undefined && type !== field.type && !(type === "null" && (field.nullable || !field.required))) {
      problems.mistyped.push(`${key} is ${type === "null" ? "null" : `a ${type}`} where the provider reads a ${field.type}`);
    }
  }
  return problems;
}

function fieldsFinding(input: ContractInput): { finding: Finding; letterCase?: string } {
  const { document: doc, paths } = input;
  const compared: Array<FieldProblems & { found: Record<string, string> }> = [];
  const documented: string[] = [];
  const undescribed: string[] = [];
  const names: string[] = [];
  if (doc) {
    for (const answer of ADDON_ANSWERS) {
      const path = paths[answer.route];
      const op = path ? doc.operation(path, answer.method) : undefined;
      if (!path || !op) continue;
      const label = answer.what;
      const json = doc.successBodies(op).find((b) => isJsonType(b.contentType));
      const schema = answer.list ? doc.items(json?.schema) : json?.schema;
      const properties = doc.properties(schema);
      if (!Object.keys(properties).length) {
        undescribed.push(label);
        continue;
      }
      documented.push(label);
      names.push(...Object.keys(properties));
      compared.push(compareFields(ADDON_FIELDS, properties, schemaType, label));
      const extensions = Object.entries(properties).find(([k]) => k.toLowerCase() === "extensions")?.[1];
      const extension = doc.properties(doc.items(extensions));
      if (Object.keys(extension).length) {
        names.push(...Object.keys(extension));
        compared.push(compareFields(EXTENSION_FIELDS, extension, schemaType, `an extension of ${label}`));
      }
    }
  }
  const answered = (input.listAnswer ?? []).filter(isObject);
  answered.forEach((item, i) => {
    names.push(...Object.keys(item));
    compared.push(compareFields(ADDON_FIELDS, item, valueType, `add-on ${i + 1} of the list answer`));
    const extensions = fieldValue(item, "extensions");
    (Array.isArray(extensions) ? extensions.filter(isObject) : []).forEach((ext, j) =>
      compared.push(compareFields(EXTENSION_FIELDS, ext, valueType, `extension ${j + 1} of add-on ${i + 1} of the list answer`)),
    );
  });
  const letterCase = letterCaseOf([...new Set(names)]);
  const caseWords =
    letterCase === undefined
      ? ""
      : letterCase === "mixed"
        ? " Its property names mix letter cases; the provider reads any letter case, so nothing needs to be set."
        : ` The service writes its property names in ${letterCase} (${[...new Set(names)].slice(0, 4).join(", ")}, ...); the provider reads any letter case, so nothing needs to be set.`;
  const details = {
    letterCase: letterCase ?? null,
    documented,
    undescribed,
    listedAddons: answered.length,
    compared: compared.map((c) => ({
      what: c.what,
      found: c.found,
      missingRequired: c.missingRequired,
      missingOptional: c.missingOptional.map((f) => f.name),
      mistyped: c.mistyped,
    })),
  };
  const title = "answer fields";
  if (!compared.length) {
    return {
      letterCase,
      finding: {
        id: "addons.fields",
        title,
        verdict: "info",
        summary: `nothing to compare: ${doc ? "the document does not describe the fields of the add-on answers" : "no OpenAPI document"}, and no add-on was listed.`,
        details,
      },
    };
  }
  const hard = compared.filter((c) => c.missingRequired.length || c.mistyped.length);
  if (hard.length) {
    return {
      letterCase,
      finding: {
        id: "addons.fields",
        title,
        verdict: "fail",
        summary: `the provider cannot read what it needs from ${hard.map((c) => c.what).join("; ")}.`,
        cause: hard
          .map(
            (c) =>
              `${c.what}: ${[
                ...c.missingRequired.map((f) => `no field "${f}" (in any letter case), which the provider cannot do without`),
                ...c.mistyped,
              ].join("; ")}`,
          )
          .join(". ")
          .concat(".", caseWords),
        fix: REPORT_IT,
        noSetting: true,
        details,
      },
    };
  }
  const missing = new Map<string, AnswerField>();
  for (const c of compared) for (const f of c.missingOptional) missing.set(f.name, f);
  const where = [
    ...(documented.length ? [`the add-on answers the document describes (${documented.join(", ")})`] : []),
    ...(answered.length ? [`the list answer (${answered.length} add-on(s))`] : []),
  ].join(" and ");
  if (missing.size) {
    return {
      letterCase,
      finding: {
        id: "addons.fields",
        title,
        verdict: "warn",
        summary: `${where}: every field the provider needs is there, but not ${[...missing.keys()].join(", ")}.${caseWords}`,
        cause: `Without them the provider does less: ${[...missing.values()].map((f) => `${f.name}: ${f.use}`).join("; ")}.`,
        fix: `No setting changes what the service answers. If your installation does send these fields, report it to the maintainers of pulumi-tridion with the file \`npx pulumi-tridion doctor --report FILE\` writes.`,
        noSetting: true,
        details,
      },
    };
  }
  return {
    letterCase,
    finding: {
      id: "addons.fields",
      title,
      verdict: "pass",
      summary: `${where}: every field the provider reads is there (${ADDON_FIELDS.filter((f) => f.required)
        .map((f) => f.name)
        .join(", ")} and the others).${caseWords}`,
      details,
    },
  };
}

// ---- statuses -------------------------------------------------------------------------------

function statusesFinding(input: ContractInput): { finding: Finding; document: unknown[]; answers: unknown[] } {
  const { document: doc, paths } = input;
  const document: unknown[] = [];
  const schemas: string[] = [];
  if (doc) {
    for (const answer of ADDON_ANSWERS) {
      const path = paths[answer.route];
      const op = path ? doc.operation(path, answer.method) : undefined;
      if (!path || !op) continue;
      const json = doc.successBodies(op).find((b) => isJsonType(b.contentType));
      const addon = answer.list ? doc.items(json?.schema) : json?.schema;
      const properties = doc.properties(addon);
      const extension = doc.properties(doc.items(Object.entries(properties).find(([k]) => k.toLowerCase() === "extensions")?.[1]));
      for (const [where, props] of [
        ["add-on", properties],
        ["extension", extension],
      ] as const) {
        const status = Object.entries(props).find(([k]) => k.toLowerCase() === "status");
        const values = status ? doc.enumOf(status[1]) : undefined;
        if (!values) continue;
        schemas.push(`${where} status of ${answer.what}`);
        for (const v of values) if (!document.some((d) => d === v)) document.push(v);
      }
    }
  }
  const answers: unknown[] = [];
  for (const item of (input.listAnswer ?? []).filter(isObject)) {
    const values = [fieldValue(item, "status")];
    const extensions = fieldValue(item, "extensions");
    for (const ext of Array.isArray(extensions) ? extensions.filter(isObject) : []) values.push(fieldValue(ext, "status"));
    for (const v of values) if (v !== undefined && !answers.some((a) => a === v)) answers.push(v);
  }
  const all = [...document, ...answers.filter((a) => !document.some((d) => d === a))];
  const strings = all.filter((v): v is string => typeof v === "string");
  const others = all.filter((v) => typeof v !== "string" && v !== null);
  const unknown = strings.filter((v) => !addonStatusOf(v));
  const mapped = strings.filter((v) => addonStatusOf(v) && addonStatusOf(v) !== v).map((v) => `${v} → ${addonStatusOf(v)}`);
  const details = { document, answers, unknown, mapped, enums: schemas };
  const title = "status values";
  const documentedSpellings = Object.keys(DOCUMENTED_STATUS_SPELLINGS);
  const base = { id: "addons.statuses" as const, title, details };
  if (!all.length) {
    return {
      document,
      answers,
      finding: {
        ...base,
        verdict: "info",
        summary: `nothing to compare: ${doc ? "the document gives no enum of the status" : "no OpenAPI document"}, and no add-on was listed.`,
      },
    };
  }
  const numbersAnswered = answers.some((a) => typeof a !== "string" && a !== null);
  if (unknown.length || numbersAnswered) {
    return {
      document,
      answers,
      finding: {
        ...base,
        verdict: "fail",
        summary: `the provider does not know ${unknown.length ? `the status value${unknown.length > 1 ? "s" : ""} ${quoteList(unknown)}` : ""}${unknown.length && numbersAnswered ? ", nor " : ""}${numbersAnswered ? `statuses answered as numbers (${quoteList(others)})` : ""}.`,
        cause: `It maps the documented spellings (${documentedSpellings.join(", ")}) to its statuses and guesses no other: an add-on in an unknown status would stop every \`pulumi up\` and \`pulumi refresh\` that reads it.`,
        fix: REPORT_IT,
        noSetting: true,
      },
    };
  }
  const spelling = statusSpellingOf(strings);
  const numbers = others.length
    ? ` The document also describes statuses as numbers (${quoteList(others)}), as Swashbuckle does for an enum the service serializes as numbers; the answers ${answers.length ? "carry names" : "were not seen (no add-on listed)"}.`
    : "";
  return {
    document,
    answers,
    finding: {
      ...base,
      verdict: others.length && !answers.length ? "warn" : "pass",
      summary:
        `${quoteList(strings)}: every value is a documented spelling${spelling ? `, ${spelling}` : ""}` +
        `${mapped.length ? ` (the provider reads ${mapped.join(", ")})` : ""}; nothing needs to be set.${numbers}`,
      ...(others.length && !answers.length
        ? {
            cause: "If the answers carry numbers, the provider cannot read them.",
            fix: `Check again once an add-on is deployed (doctor reads the list answer then). ${REPORT_IT}`,
            noSetting: true,
          }
        : {}),
    },
  };
}

// ---- what the provider sends ----------------------------------------------------------------

/** The file parts of a multipart body (or its only field, when it marks none as a file). */
function partsOf(doc: OpenApiDocument, body: Body): string[] {
  const files = doc.fileParts(body.schema);
  if (files.length) return files;
  const names = Object.keys(doc.properties(body.schema));
  return names.length === 1 ? names : [];
}

function uploadFinding(input: ContractInput): Finding | undefined {
  const { document: doc, paths, current } = input;
  const path = paths.addons;
  const op = doc && path ? doc.operation(path, "post") : undefined;
  if (!doc || !path || !op) return undefined;
  const bodies = doc.requestBodies(op);
  const title = "package upload";
  const base = { id: "addons.upload" as const, title };
  const label = `POST ${path}`;
  const sends = `the provider sends the package as multipart/form-data, in the form field "${current.addonPackageField}"`;
  if (!bodies.length) {
    return { ...base, verdict: "info", summary: `the document does not describe the body of ${label}; ${sends}.`, details: { path } };
  }
  const multipart = bodies.find((b) => isMultipart(b.contentType));
  const types = bodies.map((b) => b.contentType);
  if (!multipart) {
    return {
      ...base,
      verdict: "fail",
      summary: `${label} takes ${types.join(", ")}, not multipart/form-data.`,
      cause: `${sends[0].toUpperCase()}${sends.slice(1)}; no setting changes the content type.`,
      fix: REPORT_IT,
      noSetting: true,
      details: { path, contentTypes: types },
    };
  }
  const parts = partsOf(doc, multipart);
  // The replace (PUT addon) takes the same field from the provider: say so when the service names it otherwise.
  const replacePath = paths.addon;
  const replaceOp = replacePath ? doc.operation(replacePath, "put") : undefined;
  const replaceBody = replaceOp ? doc.requestBodies(replaceOp).find((b) => isMultipart(b.contentType)) : undefined;
  const replaceParts = replaceBody ? partsOf(doc, replaceBody) : [];
  const details = { path, contentTypes: types, fileParts: parts, replaceFileParts: replaceParts, sent: current.addonPackageField };
  const replaceDiffers =
    replaceParts.length > 0 && parts.length > 0 && !replaceParts.some((p) => parts.includes(p))
      ? ` Its package replace (PUT ${replacePath}) names the part "${replaceParts.join('", "')}": the provider sends both with the one setting addonPackageField, so one of the two will not work; no setting can give them different names (${REPORT_IT.replace(/^No setting can fix this: r/, "r")})`
      : "";
  if (parts.includes(current.addonPackageField)) {
    return {
      ...base,
      verdict: replaceDiffers ? "warn" : "pass",
      summary: `${label} takes multipart/form-data with the file part "${current.addonPackageField}", as the provider sends it.${replaceDiffers}`,
      details,
    };
  }
  if (parts.length === 1 && FORM_FIELD_NAME.test(parts[0])) {
    return {
      ...base,
      verdict: "fail",
      summary: `${label} takes the package in the form field "${parts[0]}"; ${sends}.`,
      cause: `The service would not find the package in the upload (it names its file part "${parts[0]}").${replaceDiffers}`,
      fix: `Set addonPackageField to "${parts[0]}" in tridion:routes.`,
      settings: { addonPackageField: parts[0] },
      details,
    };
  }
  return {
    ...base,
    verdict: parts.length === 1 ? "fail" : "warn",
    summary: parts.length
      ? `${label} takes multipart/form-data with the file part${parts.length > 1 ? "s" : ""} ${quoteList(parts)}; ${sends}.`
      : `${label} takes multipart/form-data but the document names no file part; ${sends}.`,
    cause:
      parts.length === 1
        ? `The route profile cannot name the field ${JSON.stringify(parts[0])} (a form field setting is letters, digits, _, - and .).`
        : "Which part takes the package cannot be told from the document.",
    fix:
      parts.length === 1
        ? REPORT_IT
        : `Set addonPackageField in tridion:routes to the part that takes the package${parts.length ? ` (one of ${quoteList(parts)})` : ""}.`,
    ...(parts.length === 1 ? { noSetting: true } : {}),
    details,
  };
}

function configurationFinding(input: ContractInput): Finding | undefined {
  const { document: doc, paths, current } = input;
  const path = paths.addonConfiguration;
  const op = doc && path ? doc.operation(path, "put") : undefined;
  if (!doc || !path || !op) return undefined;
  const bodies = doc.requestBodies(op);
  const label = `PUT ${path}`;
  const base = { id: "addons.configuration" as const, title: "configuration upload" };
  const sent =
    current.addonConfigurationTransport === "file"
      ? `as a multipart file part "${current.addonConfigurationField}"`
      : "as a JSON body (application/json)";
  const sends = `the provider sends the configuration ${sent}`;
  const types = bodies.map((b) => b.contentType);
  if (!bodies.length)
    return { ...base, verdict: "info", summary: `the document does not describe the body of ${label}; ${sends}.`, details: { path } };
  const json = bodies.find((b) => isJsonType(b.contentType));
  const multipart = bodies.find((b) => isMultipart(b.contentType));
  const parts = multipart ? partsOf(doc, multipart) : [];
  const details = {
    path,
    contentTypes: types,
    fileParts: parts,
    sent: { transport: current.addonConfigurationTransport, field: current.addonConfigurationField },
  };
  if (current.addonConfigurationTransport === "json" ? json : parts.includes(current.addonConfigurationField)) {
    return { ...base, verdict: "pass", summary: `${label} takes the configuration ${sent}, as the provider sends it.`, details };
  }
  if (json) {
    return {
      ...base,
      verdict: "fail",
      summary: `${label} takes the configuration as a JSON body (${json.contentType}); ${sends}.`,
      cause: "The service would not find the configuration where the provider puts it.",
      fix: 'Set addonConfigurationTransport to "json" in tridion:routes.',
      settings: { addonConfigurationTransport: "json" },
      details,
    };
  }
  if (multipart && parts.length === 1 && FORM_FIELD_NAME.test(parts[0])) {
    return {
      ...base,
      verdict: "fail",
      summary: `${label} takes the configuration as a multipart file part "${parts[0]}"; ${sends}.`,
      cause: "The service would not find the configuration where the provider puts it.",
      fix: `Set addonConfigurationTransport to "file" and addonConfigurationField to "${parts[0]}" in tridion:routes.`,
      settings: { addonConfigurationTransport: "file", addonConfigurationField: parts[0] },
      details,
    };
  }
  if (multipart && parts.length > 1) {
    return {
      ...base,
      verdict: "warn",
      summary: `${label} takes multipart/form-data with the file parts ${quoteList(parts)}; ${sends}.`,
      cause: "Which part takes the configuration cannot be told from the document.",
      fix: `Set addonConfigurationTransport to "file" and addonConfigurationField to the part that takes it (one of ${quoteList(parts)}) in tridion:routes.`,
      details,
    };
  }
  return {
    ...base,
    verdict: "fail",
    summary: `${label} takes ${types.join(", ")}${multipart ? " without a file part the route profile can name" : ""}; ${sends}.`,
    cause: "The provider sends the configuration as a JSON body or as a named multipart file part, nothing else.",
    fix: REPORT_IT,
    noSetting: true,
    details,
  };
}

/** Compares what the provider sends and reads with what the service documents and answered. */
export function compareContract(input: ContractInput): ContractComparison {
  const fields = fieldsFinding(input);
  const statuses = statusesFinding(input);
  const findings = [fields.finding, statuses.finding, uploadFinding(input), configurationFinding(input)].filter(
    (f): f is Finding => f !== undefined,
  );
  const settings = Object.assign({}, ...findings.map((f) => f.settings ?? {})) as Record<string, string>;
  return {
    findings,
    settings,
    statuses: { document: statuses.document, answers: statuses.answers },
    letterCase: fields.letterCase,
  };
}
