// The project runs on its own Node (the `node` package from the npm registry), whatever the
// machine's Node is: @pulumi/pulumi needs Node >= 22.
import test from "ava";
import * as path from "node:path";

test("tests run on the project's Node 22 from node_modules, not the system's", (t) => {
  t.true(Number(process.versions.node.split(".")[0]) >= 22, process.version);
  t.true(process.execPath.includes(`${path.sep}node_modules${path.sep}`), `node is ${process.execPath}`);
});
