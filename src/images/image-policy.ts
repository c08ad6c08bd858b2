// The shared shape of the image rules: each judges the image references a resource names —
// Kubernetes containers and image volumes, and the Docker providers' image fields (see
// image-sites.ts) — parsed once by the pack's reference parser. References that are unknown
// during preview are reported as such, naming the field, and judged at `pulumi up`. A rule that
// asks a registry returns a promise from `check` (and `remediate`); the others stay synchronous.

import { type exemptionOptions } from "../framework/exemptions";
import { imageExemptionOptions } from "../framework/image-exemptions";
import {
    type ContainerGuardPolicy,
    type Evaluation,
    type OptionsCheck,
    type PolicyMetadata,
    buildResourcePolicy,
} from "../framework/policy";
import { type Fixer } from "../framework/remediation";
import { type ImageSite, type ImageUse, imageSitesOf, mayNameImages } from "./image-sites";
import { type ParsedImage, parseImageRef, quote } from "./image-ref";
import { SECRET_PLACEHOLDER, show } from "../framework/checks";
import { type Field } from "../framework/field";
import { type OptionValues, type OptionsSpec } from "../framework/options";
import { type WorkloadOptions, catalogFor, providerNamespace, workloadOptions } from "../kubernetes/workload-policy";

/** An image reference a resource names, with where it is. */
export interface ImageAt {
    readonly site: ImageSite;
    readonly parsed: ParsedImage;
    /** The reference quoted for messages (shortened when long), or [secret]. */
    readonly shown: string;
}

interface ImagePolicyDefinition<O extends OptionsSpec> extends PolicyMetadata {
    readonly options: O;
    /** The images the policy judges: pulled and run, built and pushed, or both. */
    readonly uses: readonly ImageUse[];
    /** Whether the configuration leaves the policy anything to do (default: always). */
    readonly active?: (options: OptionValues<O & typeof workloadOptions>) => boolean;
    /** Judges the known image references of one resource. */
    readonly check: (
        images: readonly ImageAt[],
        ev: Evaluation<OptionValues<O & typeof workloadOptions>>,
    ) => void | Promise<void>;
    /**
     * Safe fixes of the known image references of one resource, at the `remediate` level. Only
     * references with an `owner` can be rewritten (Fixer.set(owner.field, owner.key, …)).
     */
    readonly remediate?: (
        images: readonly ImageAt[],
        fix: Fixer,
        options: OptionValues<O & typeof workloadOptions>,
    ) => void | Promise<void>;
    /** Problems that involve several options (reported at Configure, like any configuration error). */
    readonly checkOptions?: OptionsCheck<OptionValues<O & typeof workloadOptions>>;
}

export const IMAGE_TAGS = ["images", "supply-chain"] as const;

/** NIST SP 800-190 (Application Container Security Guide), the framework the image rules follow. */
export { nist800190 } from "../framework/compliance";

export function defineImagePolicy<O extends OptionsSpec, N extends string>(
    def: ImagePolicyDefinition<O> & { readonly name: N },
): ContainerGuardPolicy<O & typeof workloadOptions & typeof imageExemptionOptions & typeof exemptionOptions, N> {
    const options = { ...def.options, ...workloadOptions, ...imageExemptionOptions };
    const remediate = def.remediate;
    return buildResourcePolicy({
        ...def,
        options,
        remediates: remediate !== undefined,
        appliesToType: (type, opts) =>
            (!def.active || def.active(opts)) &&
            mayNameImages(catalogFor((opts as WorkloadOptions).customWorkloads), type),
        applicableTo: "resources that name container images",
        prepare(args, opts) {
            if (def.active && !def.active(opts)) {
                return undefined;
            }
            const found = imageSitesOf(catalogFor((opts as WorkloadOptions).customWorkloads), {
                type: args.type,
                name: args.name,
                props: args.props,
                providerNamespace: providerNamespace(args),
            });
            if (!found || !found.uses.some((u) => def.uses.includes(u))) {
                return undefined;
            }
            // The known references; unknown ones are recorded on `ev` (a fix leaves them alone).
            const knownImages = (ev?: Evaluation<unknown>): ImageAt[] => {
                const images: ImageAt[] = [];
                for (const site of found.sites()) {
                    if (!def.uses.includes(site.use) || site.field.isAbsent) {
                        continue; // a container without an image is left to higher-level tools (and the API server)
                    }
                    if (site.field.isUnknown) {
                        ev?.unknown(site.field, site.container);
                        continue;
                    }
                    const value = site.field.value;
                    const parsed = parseImageRef(value);
                    if (site.field.isSecret) {
                        // Remediation (no evaluation) writes no messages.
                        images.push({ site, parsed: ev ? hideSecret(parsed, ev) : parsed, shown: SECRET_PLACEHOLDER });
                        continue;
                    }
                    images.push({
                        site,
                        parsed,
                        shown: typeof value === "string" ? quote(value, 200) : shownComposite(site.field),
                    });
                }
                return images;
            };
            return {
                resource: found.resource,
                isPatch: found.isPatch,
                run: (ev) => def.check(knownImages(ev), ev),
                ...(remediate && { remediate: (fix: Fixer) => remediate(knownImages(), fix, opts) }),
            };
        },
    });
}

/**
 * A secret reference is judged like any other, but no part of it may reach a message: the parts
 * rules print (repository, registry, tag, digest) are scrubbed from the evaluation's messages, and a
 * parse error keeps no reason (reasons quote the text).
 */
function hideSecret(parsed: ParsedImage, ev: Evaluation<unknown>): ParsedImage {
    ev.secretText(parsed.input);
    if (parsed.kind === "error") {
        return { ...parsed, reason: "it does not parse (the reason is not shown, because the value is a secret)" };
    }
    if (parsed.kind === "reference") {
        const parts = [
            parsed.name,
            parsed.familiarName,
            parsed.writtenPath,
            parsed.path,
            parsed.writtenDomain,
            parsed.tag,
            parsed.digest?.value,
            parsed.digest?.encoded,
        ];
        ev.secretText(...parts.filter((p): p is string => p !== undefined));
    }
    return parsed;
}

/**
 * A reference that is not a string, for a message: its JSON, shortened and quoted. The framework's `show` renders it,
 * so a secret inside it (a list holding a secret string) is shown as [secret].
 */
function shownComposite(field: Field): string {
    return quote(show(field), 60);
}

/** Lists items for a message: the first `max`, then how many more. */
export function listed(items: readonly string[], max: number): string {
    const shown = items.slice(0, max).join(", ");
    return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Reports a reference that does not parse (for the rules that need to read it). */
export function reportMalformed(ev: Evaluation<unknown>, image: ImageAt): void {
    if (image.parsed.kind !== "error") {
        return;
    }
    ev.violation({
        at: image.site.field,
        container: image.site.container,
        problem: `${image.site.noun} ${image.shown} is not a valid image reference: ${image.parsed.reason}`,
        fix: "write it as [registry[:port]/]repository[:tag][@sha256:<64 hex digits>], e.g. ghcr.io/acme/app:1.4.2",
    });
}
