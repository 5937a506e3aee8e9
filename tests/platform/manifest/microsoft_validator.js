// Validates a manifest (stdin) against a schema file (argv) exactly as Microsoft's
// @microsoft/app-manifest does in ManifestUtil.validateManifestAgainstSchema (ajv-draft-04,
// allErrors, strictTypes off, formats uri/email/regex), and prints the failing instance paths.
const fs = require("fs");
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const schema = JSON.parse(fs.readFileSync(process.argv[2], "utf8").replace(/^\uFEFF/, ""));
const manifest = JSON.parse(fs.readFileSync(0, "utf8"));
const ajv = new Ajv({ allErrors: true, strictTypes: false });
addFormats(ajv, ["uri", "email", "regex"]);
const validate = ajv.compile(schema);
validate(manifest);
console.log(JSON.stringify((validate.errors || []).map((error) => error.instancePath)));
