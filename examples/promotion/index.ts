import { promotion } from "./program";

export = promotion();
