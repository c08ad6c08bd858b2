// Where in a resource a finding is: which container, for resources that have several.

import { type Field } from "./field";

/** The container lists of a pod spec (Docker containers are reported as the resource itself). */
export type ContainerList = "initContainers" | "containers" | "ephemeralContainers";

/** Which container of a pod spec a finding is about. */
export interface ContainerLocation {
    readonly list: ContainerList;
    readonly index: number;
    /** `name`, when known. */
    readonly name: string | undefined;
    /** The container's image reference, which the `exemptImages` option matches. */
    readonly image?: Field;
}

/** Describes a container for messages: `container "app"`, `init container "migrate"`, `ephemeral container #2`. */
export function containerLabel(c: ContainerLocation): string {
    const noun =
        c.list === "initContainers"
            ? "init container"
            : c.list === "ephemeralContainers"
              ? "ephemeral container"
              : "container";
    return c.name !== undefined ? `${noun} "${c.name}"` : `${noun} #${c.index}`;
}
