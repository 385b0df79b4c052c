// The page at /addon/ui, where the product serves the Add-ons UI. The emulator has no UI: the
// page says so and where the API and its OpenAPI document are.

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export function addonsUiPage(openApiPath: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Add-ons (Tridion Sites emulator)</title></head>
<body>
<h1>Add-ons</h1>
<p>This is the Tridion Sites emulator: it serves the Add-ons Service's API, not its user interface.</p>
<p>The API's OpenAPI document: <a href="${escape(openApiPath)}">${escape(openApiPath)}</a>.</p>
</body>
</html>
`;
}
