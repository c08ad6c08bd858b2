// dockerfile-base-image-digest: every image a Dockerfile pulls (FROM, COPY --from, RUN --mount from)
// is pinned by a digest, after ARG substitution.

import * as assert from "assert";
import { PolicyTester } from "../../../testkit";
import {
    BASE_IMAGE_CASES,
    assertBaseImageFinding,
    detail,
    dockerPolicies,
    findings,
    inline,
} from "../../support/dockerfile";

describe("dockerfile-base-image-digest", () => {
    const PINNED = "dockerfile-base-image-digest";

    for (const [text, , pinned] of BASE_IMAGE_CASES) {
        it(JSON.stringify(text), async () => {
            assertBaseImageFinding(await findings(inline(text), PINNED), PINNED, pinned);
        });
    }

    it("the default level follows image-digest-pinned: advisory (medium)", async () => {
        const vs = await findings(
            inline("FROM alpine:latest\nUSER app"),
            PINNED,
            new PolicyTester({ policies: dockerPolicies }),
        );
        assert.deepStrictEqual(
            vs.map((v) => [v.policyName, v.enforcementLevel]),
            [[PINNED, "advisory"]],
        );
    });

    it("a platform-dependent reference without a digest cannot be judged: advisory", async () => {
        const [v] = await findings(inline("FROM golang:1.22-$TARGETARCH"), PINNED);
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(
            detail(v).includes(
                "FROM golang:1.22-$TARGETARCH cannot be judged: $TARGETARCH depends on the platform the image is " +
                    "built for",
            ),
            detail(v),
        );
    });

    it("an invalid reference is an advisory", async () => {
        const vs = await findings(inline("FROM Alpine:3"), PINNED);
        assert.strictEqual(vs.length, 1);
        assert.ok(
            vs.every((v) => v.enforcementLevel === "advisory" && detail(v).includes("is not a valid image reference")),
            JSON.stringify(vs.map(detail)),
        );
    });
});
