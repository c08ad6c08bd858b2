// dockerfile-base-image-not-latest: every image a Dockerfile pulls (FROM, COPY --from, RUN --mount
// from, docker-image:// build contexts) names a version tag or a digest, after ARG substitution.

import * as assert from "assert";
import { PolicyTester, unknown } from "../../../testkit";
import {
    BASE_IMAGE_CASES,
    DIGEST,
    assertBaseImageFinding,
    detail,
    dockerPolicies,
    findings,
    inline,
} from "../../support/dockerfile";

describe("dockerfile-base-image-not-latest", () => {
    const LATEST = "dockerfile-base-image-not-latest";

    for (const [text, latest] of BASE_IMAGE_CASES) {
        it(JSON.stringify(text), async () => {
            assertBaseImageFinding(await findings(inline(text), LATEST), LATEST, latest);
        });
    }

    it("the default level follows image-tag-not-latest: mandatory (high)", async () => {
        const vs = await findings(
            inline("FROM alpine:latest\nUSER app"),
            LATEST,
            new PolicyTester({ policies: dockerPolicies }),
        );
        assert.deepStrictEqual(
            vs.map((v) => [v.policyName, v.enforcementLevel]),
            [[LATEST, "mandatory"]],
        );
    });

    it("build arguments decide substituted references", async () => {
        const text = "ARG TAG\nFROM alpine:${TAG:-latest}";
        assert.strictEqual((await findings(inline(text), LATEST)).length, 1);
        assert.deepStrictEqual(await findings(inline(text, { buildArgs: { TAG: "3.19" } }), LATEST), []);
        const [u] = await findings(inline(text, { buildArgs: { TAG: unknown } }), LATEST);
        assert.ok(
            u.enforcementLevel === "advisory" && detail(u).includes("buildArgs.TAG is not known during preview"),
            detail(u),
        );
    });

    it("an invalid reference is an advisory", async () => {
        const vs = await findings(inline("FROM Alpine:3"), LATEST);
        assert.strictEqual(vs.length, 1);
        assert.ok(
            vs.every((v) => v.enforcementLevel === "advisory" && detail(v).includes("is not a valid image reference")),
            JSON.stringify(vs.map(detail)),
        );
    });

    it("named build contexts: docker-image:// locations are judged, local ones are not", async () => {
        const text = "FROM base\nFROM vendor AS v\nFROM alpine:3.19@" + DIGEST;
        const named = { base: { location: "docker-image://alpine:latest" }, vendor: { location: "./vendor" } };
        const [v, ...rest] = await findings(inline(text, { context: { location: ".", named } }), LATEST);
        assert.deepStrictEqual(rest, []);
        assert.ok(
            detail(v).includes('FROM base ("alpine:latest") uses the latest tag (context.named.base.location)'),
            detail(v),
        );
        const [u] = await findings(
            inline(text, { context: { location: ".", named: { ...named, base: { location: unknown } } } }),
            LATEST,
        );
        assert.ok(detail(u).includes("context.named.base.location is not known during preview"), detail(u));
        const [all] = await findings(inline("FROM alpine", { context: { location: ".", named: unknown } }), LATEST);
        assert.ok(detail(all).includes("context.named is not known during preview"), detail(all));
    });
});
