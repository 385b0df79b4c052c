import { serviceAccountExample } from "./program";

export = serviceAccountExample();
