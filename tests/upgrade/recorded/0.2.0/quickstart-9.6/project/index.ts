// Entry point for `pulumi up` in this folder (or in the repository root, whose Pulumi.yaml points here).
import { quickstart } from "./program";

export = quickstart();
