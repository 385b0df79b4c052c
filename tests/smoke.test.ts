import test from "ava";
import * as os from "node:os";

enum Check { NodeMajor = 22 }

test("the test runner uses the project's Node (>= 22)", (t) => {
  t.true(Number(process.versions.node.split(".")[0]) >= Check.NodeMajor, process.version);
  t.truthy(os.tmpdir());
});
