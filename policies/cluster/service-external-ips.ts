// Services with spec.externalIPs (CVE-2020-8554): whoever can create or edit a Service can claim any
// address as an external IP, and kube-proxy then sends the cluster's traffic for that address to the
// Service's pods, a man in the middle for connections to it. Kubernetes has no fix, only the advice
// to forbid the field (the DenyServiceExternalIPs admission plugin) or allow a known list.

import { BlockList, isIP } from "net";
import { buildResourcePolicy } from "../../src/framework/policy";
import { Field } from "../../src/framework/field";
import { array, option, refine, string } from "../../src/framework/options";
import { kubernetesIdentity } from "../../src/framework/resource";
import { nist800190 } from "../../src/framework/compliance";
import { known, knownItems, show } from "../../src/framework/checks";
import { providerNamespace } from "../../src/kubernetes/workload-policy";
import { kindVariant, objectsOf } from "../../src/kubernetes/objects";

/** An IP address or a CIDR block, parsed; undefined when the text is neither. */
function parseAddressOrBlock(text: string): { address: string; prefix?: number; family: "ipv4" | "ipv6" } | undefined {
    const slash = text.indexOf("/");
    const address = slash < 0 ? text : text.slice(0, slash);
    const version = isIP(address);
    if (version === 0) {
        return undefined;
    }
    const family = version === 4 ? "ipv4" : "ipv6";
    if (slash < 0) {
        return { address, family };
    }
    const prefixText = text.slice(slash + 1);
    const prefix = Number(prefixText);
    if (!/^(0|[1-9][0-9]*)$/.test(prefixText) || prefix > (version === 4 ? 32 : 128)) {
        return undefined;
    }
    return { address, prefix, family };
}

const allowedEntry = refine(
    string({ description: "An IP address (203.0.113.10) or a CIDR block (203.0.113.0/24, 2001:db8::/64)" }),
    (text, path, errors) => {
        if (!parseAddressOrBlock(text)) {
            errors.push(`${path} ${JSON.stringify(text)} is not an IP address or a CIDR block`);
        }
    },
);

const blockLists = new WeakMap<readonly string[], BlockList>();

/** The allowed addresses as a BlockList (which compares addresses, not their spelling). */
function allowList(allowed: readonly string[]): BlockList {
    let list = blockLists.get(allowed);
    if (!list) {
        list = new BlockList();
        for (const entry of allowed) {
            const parsed = parseAddressOrBlock(entry);
            if (parsed?.prefix !== undefined) {
                list.addSubnet(parsed.address, parsed.prefix, parsed.family);
            } else if (parsed) {
                list.addAddress(parsed.address, parsed.family);
            }
        }
        blockLists.set(allowed, list);
    }
    return list;
}

export const serviceExternalIps = buildResourcePolicy({
    name: "service-external-ips",
    displayName: "No Service external IPs",
    description:
        "Services must not set spec.externalIPs, except addresses the allowed option lists: a Service can claim any " +
        "address as an external IP and intercept the cluster's traffic to it (CVE-2020-8554).",
    severity: "medium",
    tags: ["kubernetes", "network", "services"],
    remediationSteps:
        "Remove spec.externalIPs and expose the Service with type LoadBalancer, a NodePort or an Ingress. Where the " +
        "cluster's administrators assign external IPs, list those addresses (or CIDR blocks) in the allowed option. " +
        "On the cluster, the DenyServiceExternalIPs admission plugin (or an admission policy that allows only known " +
        "addresses) closes the hole for Services this stack does not create.",
    url: "https://github.com/kubernetes/kubernetes/issues/97076",
    framework: nist800190("4.3.3 Poorly separated inter-container network traffic"),
    options: {
        allowed: option(
            array(allowedEntry, {
                description:
                    "External IPs Services may use: addresses or CIDR blocks, IPv4 or IPv6 (compared as addresses, " +
                    "so 2001:db8::1 and 2001:0db8:0:0::1 are the same).",
            }),
            [] as string[],
        ),
    },
    prepare(args) {
        const variant = kindVariant(args.type, "core", "Service");
        if (!variant) {
            return undefined;
        }
        const props = Field.root(args.props);
        return {
            resource: kubernetesIdentity(args.type, props, args.name, providerNamespace(args), "Service"),
            isPatch: variant === "patch",
            run(ev) {
                if (variant === "list" && !known(ev, props.get("items"))) {
                    return;
                }
                const allowed = ev.options.allowed;
                for (const service of objectsOf(variant, props)) {
                    if (!known(ev, service)) {
                        continue;
                    }
                    for (const ip of knownItems(ev, service.at("spec", "externalIPs"))) {
                        const text = ip.str();
                        const parsed = text !== undefined ? parseAddressOrBlock(text) : undefined;
                        const address = parsed?.prefix === undefined ? parsed : undefined;
                        if (address && allowList(allowed).check(address.address, address.family)) {
                            continue;
                        }
                        ev.violation({
                            at: ip,
                            problem: !address
                                ? `spec.externalIPs lists ${show(ip)}, which is not an IP address`
                                : allowed.length === 0
                                  ? `spec.externalIPs lists ${text}`
                                  : `spec.externalIPs lists ${text}, which option allowed does not list`,
                            fix:
                                "remove it and expose the Service with type LoadBalancer, a NodePort or an Ingress " +
                                "(or, if the cluster's administrators assigned this address to the Service, add it " +
                                "to the allowed option)",
                        });
                    }
                }
            },
        };
    },
});
