import Foundation
import Logging
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// The configure-time trap: a configure that checks that `-Werror` is usable (as CPython's
/// does) fails when it sees the optimize build's `-fprofile-use` and profile warnings. The way
/// docs/profile-format.md documents for autoconf (flags at make time) must work on it.
@Suite(.serialized) struct AutoconfTrapTests {
    let root: String

    init() throws {
        root = try Self.project()
    }

    /// A tiny autoconf-like project: `configure VAR=value...` compiles a conftest with CFLAGS
    /// and -Werror (any diagnostic fails it, as with AC_LANG_WERROR), then writes a Makefile
    /// into the build directory.
    static func project() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("temper-autoconf-\(UUID().uuidString)").path
        let source = root + "/src"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        let configure = """
            #!/bin/sh
            set -e
            for arg in "$@"; do case "$arg" in CC=*|CFLAGS=*|LDFLAGS=*) eval "$(echo "$arg" | sed "s/=\\(.*\\)/='\\1'/")";; esac; done
            srcdir=$(cd "$(dirname "$0")" && pwd)
            printf 'int main(void) { return 0; }\\n' > conftest.c
            # As autoconf's AC_LANG_WERROR does: any diagnostic at all counts as a failure.
            if ! $CC $CFLAGS -Werror -c conftest.c -o conftest.o 2> conftest.err || test -s conftest.err; then
              cat conftest.err
              echo "configure: error: CFLAGS contains something that makes -Werror complain" >&2
              exit 1
            fi
            rm -f conftest.c conftest.o conftest.err
            printf 'CC = %s\\nCFLAGS = %s\\nLDFLAGS = %s\\nSRCDIR = %s\\napp: $(SRCDIR)/main.c\\n\\t$(CC) $(CFLAGS) $(LDFLAGS) -o app $(SRCDIR)/main.c\\n' "$CC" "$CFLAGS" "$LDFLAGS" "$srcdir" > Makefile
            """
        try configure.write(toFile: source + "/configure", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: source + "/configure")
        let main = """
            #include <stdio.h>
            #include <stdlib.h>
            static int step(int x) { return x % 2 ? 3 * x + 1 : x / 2; }
            int main(int argc, char **argv) {
                long n = argc > 1 ? atol(argv[1]) : 1000, total = 0;
                for (long i = 1; i < n; i++) { int x = (int)i; while (x != 1) { x = step(x); total++; } }
                printf("%ld\\n", total);
                return 0;
            }
            """
        try main.write(toFile: source + "/main.c", atomically: true, encoding: .utf8)
        return root
    }

    func profile(configure: String, build: String, exportFlags: Bool) throws -> String {
        let text = """
            version = 1
            name = "autoconf"
            [source]
            path = "src"
            [build]
            configure = \(configure)
            build = \(build)
            artifacts = ["app"]
            export_flags = \(exportFlags)
            [[train.task]]
            name = "run"
            run = ["{artifact:app}", "20000"]
            """
        let path = root + "/autoconf-\(UUID().uuidString).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func run(_ profile: String) async throws -> RunReport {
        var options = PipelineRun.Options(jobs: 2)
        options.workDir = root + "/work-\(UUID().uuidString)"
        return try await PipelineRun(progress: SilentProgress(), logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
            .run(profilePath: profile, options: options)
    }

    @Test func theDocumentedWayBuildsAndTheTrapIsReal() async throws {
        // As docs/profile-format.md says: tools to configure, flags to make.
        let documented = try profile(
            configure: #"["{source}/configure", "CC={cc}"]"#,
            build: #"["make", "CFLAGS={cflags}", "LDFLAGS={ldflags}", "app"]"#, exportFlags: false)
        let report = try await run(documented)
        #expect(report.status == "succeeded")
        #expect(report.artifacts.map(\.stage) == ["optimize"])
        #expect((report.profileData?.functions ?? 0) > 0)
        // Configure saw no profile flags, so the optimize build's configure ran ahead.
        #expect(report.stages.first { $0.name == "instrument" }?.message?.contains("configured optimize ahead") == true)

        // The old way: {cflags} on the configure line fails the optimize configure.
        let trap = try profile(
            configure: #"["{source}/configure", "CC={cc}", "CFLAGS={cflags}", "LDFLAGS={ldflags}"]"#,
            build: #"["make", "app"]"#, exportFlags: false)
        let error = try await #require(throws: StageError.self) { _ = try await run(trap) }
        #expect(error.stage == "optimize")
        #expect(error.message.contains("makes -Werror complain"))
    }
}
