// Kill matrix, AddonPackage: `pulumi up`/`destroy` killed (kill -9 of the process group) right
// after the Add-ons Service carried out the write that matters; then the documented recovery:
// `pulumi cancel` and the same command again, with no edit of the program. See the README's
// reliability section for the whole matrix.
import test from "ava";
import { assertAddonConverged, KillProject } from "./killMatrix";

let project: KillProject;
test.before(async () => {
  project = await KillProject.create("addon");
});
test.after.always(async () => {
  await project?.close();
});

test.serial("create: killed after the upload was stored; cancel + up finishes it (the package's COUNTER says it is ours)", async (t) => {
  await project.killDuring(t, ["up"], { method: "POST", path: "/api/v1/addons$" });
  await project.cancel();
  await project.up();
  await assertAddonConverged(t, project, { threshold: 5 });
  await project.assertNoChanges(t, true);
});

test.serial("update: killed after the new configuration was stored; cancel + up finishes it", async (t) => {
  await project.config({ "kill:threshold": "6" });
  await project.killDuring(t, ["up"], { method: "PUT", path: "/configuration$" });
  await project.cancel();
  await project.up();
  await assertAddonConverged(t, project, { threshold: 6 });
  await project.assertNoChanges(t, true);
});

test.serial("destroy: killed after the add-on was deleted; cancel + destroy finishes it", async (t) => {
  await project.killDuring(t, ["destroy"], { method: "DELETE", path: "/api/v1/addons/acme-publishing-tools$" });
  await project.cancel();
  await project.must(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
  await assertAddonConverged(t, project, undefined);
});
