import Foundation
import Logging
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// BOLT stages on the real toolchain: inputs, resume, PIE handling, verification.
@Suite(.serialized) struct BoltTests {
    let sandbox: DemoSandbox

    init() throws {
        sandbox = try DemoSandbox()
    }

    /// A BOLT profile for the demo. Unless `bolt` says otherwise, `select = "always"`: these tests
    /// are about the BOLT stages, not about whether BOLT pays on this machine today.
    func boltProfile(name: String, repeatCount: Int = 3, jobs: Int = 2, bolt: String = "", base: String = "", extra: String = "") throws -> String {
        let text = sandbox.profileText(name: name, jobs: jobs, repeatCount: repeatCount)
            .replacingOccurrences(of: "cflags = [\"-O2\"]", with: "cflags = [\"-O2\"]\n" + base)
        let select = bolt.contains("select =") ? "" : "select = \"always\"\n"
        return try sandbox.writeRaw(name: name + ".toml", text + "\n" + extra + "\n[bolt]\nenabled = true\n" + select + bolt + "\n")
    }

    /// A bench workload that sleeps on the builds whose path contains `slow`, so that which
    /// side is faster is known in advance, whatever the machine's noise.
    static func benchSlowing(_ slow: String) -> String {
        """
        [bench]
        run = ["/bin/sh", "-c", "case \\"$0\\" in *\(slow)*) sleep 0.25;; esac; exec \\"$0\\" \\"$@\\"", "{artifact:tl}", "{source}/scripts/primes.tl", "2"]
        """
    }

    @Test func aSlowerBoltIsNotPublishedAndTheDecisionIsReused() async throws {
        // Non-PIE (accepted): in a PIE, BOLT leaves the VM's jump-table dispatch alone anyway.
        let profile = try boltProfile(name: "slower", bolt: "select = \"fastest\"\nselection_runs = 4\naccept_non_pie = true", extra: Self.benchSlowing("/bolt-optimize/"))
        let first = try await run(profile)
        let out = sandbox.workDir + "/out/tl"
        #expect(ELFFile(path: out)?.isBolted == false)
        #expect(FileDigest.sha256(of: out) == FileDigest.sha256(of: sandbox.workDir + "/stages/optimize/build/tl"))
        #expect(first.artifacts.map(\.stage) == ["optimize"])
        let selection = try #require(first.bolt?.selection)
        #expect(selection.published == nil && selection.reason.hasPrefix("not kept"))
        #expect(selection.workload == "bench" && selection.rounds == 4)
        #expect(selection.candidates.map(\.name) == ["default", "skip-dispatch"])
        for candidate in selection.candidates {
            #expect(candidate.verified)
            #expect((candidate.ratio?.low ?? 0) > 1, "\(candidate.name): \(String(describing: candidate.ratio))")
            #expect(candidate.instructions != nil && candidate.takenBranches != nil && (candidate.bytes ?? 0) > 0)
        }
        // The dispatch candidate skipped the VM's dispatch loop (inlined into main by LTO), found in the profile.
        #expect(selection.candidates[1].flags.contains { $0.hasPrefix("-skip-funcs=") && $0.contains("main") })
        #expect(selection.preBolt.instructions != nil)
        // -no-huge-pages: BOLT's output no longer pads to 2 MB.
        #expect((selection.candidates[0].bytes ?? .max) < 1_000_000)
        // A rerun reuses the decision: noise cannot flip it.
        let second = try await run(profile)
        #expect(second.stages.first { $0.name == "bolt-optimize" }?.outcome == .reused)
        #expect(second.bolt?.selection == selection)
        #expect(ELFFile(path: out)?.isBolted == false)
        // The report shows each candidate and the reason.
        let markdown = try ReportRenderer.render(second, as: .md)
        #expect(markdown.contains("### BOLT candidates") && markdown.contains("| skip-dispatch | yes |") && markdown.contains("BOLT not kept"))
        // bench has no BOLT variant to measure, and says why.
        let (status, output) = try await Temper.run(["bench", profile, "--workdir", sandbox.workDir, "--variants", "bolt", "--runs", "1", "--warmup", "0"])
        #expect(status == 2 && output.contains("BOLT was not kept"), "\(output)")
    }

    @Test func aFasterBoltIsPublishedWithTheIntervalThatJustifiedIt() async throws {
        let profile = try boltProfile(name: "faster", bolt: "select = \"fastest\"\nselection_runs = 4", extra: Self.benchSlowing("/optimize/build/"))
        let report = try await run(profile)
        let selection = try #require(report.bolt?.selection)
        let published = try #require(selection.published, "\(selection.reason)")
        let ratio = try #require(selection.candidates.first { $0.name == published }?.ratio)
        #expect(ratio.high < 1)
        #expect(selection.reason.hasPrefix("kept: \(published)"))
        #expect(report.artifacts.map(\.stage) == ["bolt-optimize"])
        #expect(ELFFile(path: sandbox.workDir + "/out/tl")?.isBolted == true)
        #expect(report.stages.first { $0.name == "bolt-optimize" }?.message?.hasPrefix("kept \(published)") == true)
    }

    @Test func aCandidateThatFailsVerificationIsDropped() async throws {
        // "broken" traps at main's entry: llvm-bolt succeeds, verification must catch it. Non-PIE
        // (accepted): in a PIE, BOLT leaves main (the VM's jump-table dispatch) alone, trap included.
        let profile = try boltProfile(name: "dropped", bolt: "accept_non_pie = true\n[bolt.candidates]\nbroken = [\"-break-funcs=main\"]")
        let report = try await run(profile)
        let selection = try #require(report.bolt?.selection)
        let broken = try #require(selection.candidates.first { $0.name == "broken" })
        #expect(!broken.verified && broken.ratio == nil)
        #expect(broken.failure?.contains("the verify command") == true)
        #expect(selection.published != nil && selection.published != "broken")
        #expect(ELFFile(path: sandbox.workDir + "/out/tl")?.isBolted == true)
    }

    func run(_ profile: String) async throws -> RunReport { try await sandbox.run(profile) }

    @Test func secondRunReusesEveryBoltStage() async throws {
        let profile = try boltProfile(name: "reuse")
        let first = try await run(profile)
        #expect(first.stages.filter { $0.name.hasPrefix("bolt") }.allSatisfy { $0.outcome == .executed })
        let second = try await run(profile)
        #expect(second.stages.allSatisfy { $0.outcome == .reused })
        #expect(second.bolt == first.bolt)
    }

    func report() throws -> RunReport {
        try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: sandbox.workDir + "/report.json")))
    }

    /// After a source change, a run that does not (or not yet) redo BOLT must publish the new
    /// PGO+LTO build, never the BOLTed binary of the old source.
    @Test func aStaleBoltedBinaryIsNeverPublished() async throws {
        let profile = try boltProfile(name: "stale")
        let out = sandbox.workDir + "/out/tl"
        let optimized = sandbox.workDir + "/stages/optimize/build/tl"
        _ = try await run(profile)
        #expect(ELFFile(path: out)?.isBolted == true)

        // 1. --no-bolt after a source change.
        try sandbox.appendToSource("vm.c", "\nint temper_stale_1(void) { return 1; }\n")
        let (noBolt, noBoltOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.workDir, "--no-bolt"])
        #expect(noBolt == 0, "\(noBoltOutput)")
        #expect(ELFFile(path: out)?.isBolted == false)
        #expect(FileDigest.sha256(of: out) == FileDigest.sha256(of: optimized))
        #expect(try report().artifacts.map(\.stage) == ["optimize"])
        #expect(try report().bolt == nil)

        // 2. --to optimize (BOLT on, but its stages not run now).
        _ = try await run(profile)
        #expect(ELFFile(path: out)?.isBolted == true)
        try sandbox.appendToSource("vm.c", "\nint temper_stale_2(void) { return 2; }\n")
        let (to, toOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.workDir, "--to", "optimize"])
        #expect(to == 0, "\(toOutput)")
        #expect(ELFFile(path: out)?.isBolted == false)
        #expect(FileDigest.sha256(of: out) == FileDigest.sha256(of: optimized))
        #expect(try report().artifacts.map(\.stage) == ["optimize"])
        #expect(try report().bolt == nil)

        // 3. Interrupted during bolt-train.
        _ = try await run(profile)
        try sandbox.appendToSource("vm.c", "\nint temper_stale_3(void) { return 3; }\n")
        let slow = try boltProfile(name: "stale", repeatCount: 60, jobs: 1)
        let temper = try Temper.start(["run", slow, "--workdir", sandbox.workDir])
        try await Temper.waitUntil(timeout: 180) {
            (try? StateStore.load(path: sandbox.workDir + "/state.json"))??.stages["bolt-train"]?.status == .running
        }
        kill(temper.processIdentifier, SIGTERM)
        #expect(await Temper.wait(temper) == 130)
        #expect(ELFFile(path: out)?.isBolted == false)
        #expect(FileDigest.sha256(of: out) == FileDigest.sha256(of: optimized))
        #expect(try report().status == "interrupted")
        #expect(try report().artifacts.map(\.stage) == ["optimize"])
        #expect(try report().bolt == nil)
    }

    @Test func brokenFlagSetIsCaughtByVerificationAndPreBoltStaysInOut() async throws {
        // -break-funcs makes llvm-bolt succeed and put a trap at main's entry.
        // The only candidate: the dispatch one would skip main, and with it the trap.
        let profile = try boltProfile(name: "broken", bolt: "extra_flags = [\"-break-funcs=main\"]\ndispatch_candidate = false\naccept_non_pie = true")
        let error = try await #require(throws: StageError.self) { _ = try await run(profile) }
        #expect(error.stage == "bolt-optimize")
        #expect(error.message.contains("BOLT verification failed"))
        #expect(error.message.contains("pre-BOLT artifact stays in out/"))
        let out = sandbox.workDir + "/out/tl"
        #expect(ELFFile(path: out)?.isBolted == false)
        #expect(FileDigest.sha256(of: out) == FileDigest.sha256(of: sandbox.workDir + "/stages/optimize/build/tl"))
        let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: sandbox.workDir + "/report.json")))
        #expect(report.status == "failed")
        #expect(report.artifacts.first?.stage == "optimize")
    }

    @Test func strippedArtifactIsRefusedWithTheFix() async throws {
        // Builds strip after linking (lld refuses -s with --emit-relocs).
        let text = sandbox.profileText(name: "stripped")
            .replacingOccurrences(of: "build = [\"make\"", with: "build = [[\"make\"")
            .replacingOccurrences(of: "\"LDFLAGS={ldflags}\"]", with: "\"LDFLAGS={ldflags}\"], [\"strip\", \"tl\"]]")
        let profile = try sandbox.writeRaw(name: "stripped.toml", text + "\n[bolt]\nenabled = true\n")
        let error = try await #require(throws: StageError.self) { _ = try await run(profile) }
        #expect(error.stage == "bolt-instrument")
        #expect(error.message.contains("is stripped (no .symtab)"))
    }

    @Test func pieWithoutConsentIsRefusedAndPieWithConsentIsReported() async throws {
        // A PIE with relocations, as a build that ignores -no-pie would make.
        let directory = sandbox.root + "/pie"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let binary = directory + "/tl"
        let llvm = try await TestLLVM.find()
        _ = try Temper.output(of: llvm.tool("clang"), [
            "-O2", "-fpie", "-pie", "-Wl,--emit-relocs", "-o", binary,
            sandbox.source + "/vm.c", sandbox.source + "/lexer.c", sandbox.source + "/table.c",
        ])
        #expect(ELFFile(path: binary)?.isPIE == true)
        let refusal = try #require(BoltInputCheck.problem(with: binary, name: "tl", acceptPIE: false))
        #expect(refusal.contains("position-independent executable"))
        #expect(refusal.contains("[bolt] pie = true"))
        #expect(BoltInputCheck.problem(with: binary, name: "tl", acceptPIE: true) == nil)
        let unrelocated = sandbox.root + "/plain"
        _ = try Temper.output(of: llvm.tool("clang"), ["-O2", "-o", unrelocated, sandbox.source + "/vm.c", sandbox.source + "/lexer.c", sandbox.source + "/table.c"])
        #expect(BoltInputCheck.problem(with: unrelocated, name: "plain", acceptPIE: true)?.contains("no static relocations") == true)

        // With pie = true the pipeline goes on, and the report says what BOLT had to skip.
        let report = try await run(try boltProfile(name: "pie", bolt: "pie = true"))
        let bolt = try #require(report.bolt?.artifacts.first)
        #expect(bolt.verified)
        #expect(ELFFile(path: sandbox.workDir + "/stages/optimize/build/tl")?.isPIE == true)
        // In a PIE, BOLT skips the VM's dispatch loop (hoisted jump table) and still succeeds:
        // the report must name what it skipped.
        #expect(bolt.failedFunctions > 0)
        #expect(!bolt.hottestFailed.isEmpty)
    }

    @Test func sharedLibraryIsTheInstrumentedOneLoadedDuringBoltTrain() async throws {
        let project = sandbox.root + "/solib"
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        let files = [
            "lib.c": "int classify(int x) {\n if (x % 7 == 0) return 7;\n if (x % 5 == 0) return 5;\n return x & 1;\n}\n",
            "main.c": "#include <stdio.h>\n#include <stdlib.h>\nint classify(int);\nint main(int argc, char **argv) {\n long n = atol(argv[1]), sum = 0;\n for (long i = 0; i < n; i++) sum += classify((int)i);\n printf(\"%ld\\n\", sum);\n return 0;\n}\n",
            "Makefile": "all: app libclassify.so\nlibclassify.so: $(SRCDIR)/lib.c\n\t$(CC) $(CFLAGS) -fPIC -shared $(LDFLAGS) -o $@ $<\napp: $(SRCDIR)/main.c libclassify.so\n\t$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -L. -lclassify -Wl,-rpath,'$$ORIGIN'\n",
        ]
        for (name, text) in files { try text.write(toFile: project + "/" + name, atomically: true, encoding: .utf8) }
        let profile = try sandbox.writeRaw(name: "solib.toml", """
            version = 1
            name = "solib"
            [source]
            path = "solib"
            [build]
            build = ["make", "-f", "{source}/Makefile", "SRCDIR={source}", "CC={cc}", "CFLAGS={cflags}", "LDFLAGS={ldflags}"]
            artifacts = ["app", "libclassify.so"]
            [[train.task]]
            name = "run"
            run = ["{artifact:app}", "2000000"]
            [bolt]
            enabled = true
            artifacts = ["libclassify.so"]
            select = "always"
            """)
        let report = try await run(profile)
        #expect(report.bolt?.artifacts.map(\.name) == ["libclassify.so"])
        #expect(report.bolt?.artifacts.first?.verified == true)
        // The profile came from the library's own instrumented copy.
        let raw = try FileManager.default.subpathsOfDirectory(atPath: sandbox.workDir + "/stages/bolt-train/raw")
        #expect(raw.contains { $0.contains("libclassify.so/prof.fdata") })
        #expect(ELFFile(path: sandbox.workDir + "/out/libclassify.so")?.isBolted == true)
        #expect(ELFFile(path: sandbox.workDir + "/out/app")?.isBolted == false)
        #expect(report.artifacts.map(\.stage) == ["optimize", "bolt-optimize"])
    }

    @Test func samplingModeProfilesWithPerfAndPerf2bolt() async throws {
        let report = try await run(try boltProfile(name: "sampled", bolt: "mode = \"sample\""))
        #expect(!report.stages.contains { $0.name == "bolt-instrument" })
        #expect(report.stages.filter { $0.name.hasPrefix("bolt") }.allSatisfy { $0.outcome == .executed })
        let merged = try String(contentsOfFile: sandbox.workDir + "/stages/bolt-merge/tl.fdata", encoding: .utf8)
        #expect(merged.hasPrefix("no_lbr"))
        #expect(report.bolt?.artifacts.first?.verified == true)
        #expect(ELFFile(path: sandbox.workDir + "/out/tl")?.isBolted == true)
    }

    @Test func killedDuringBoltTrainResumes() async throws {
        let profile = try boltProfile(name: "boltkill", repeatCount: 25, jobs: 1)
        let temper = try Temper.start(["run", profile, "--workdir", sandbox.workDir])
        func done() -> Int { (try? StateStore.load(path: sandbox.workDir + "/state.json"))??.stages["bolt-train"]?.items?.done.count ?? 0 }
        try await Temper.waitUntil(timeout: 180) { done() >= 1 }
        kill(temper.processIdentifier, SIGKILL)
        _ = await Temper.wait(temper)
        let finished = done()
        #expect(finished >= 1 && finished < 4)
        let (status, output) = try await Temper.run(["run", profile, "--workdir", sandbox.workDir])
        #expect(status == 0, "\(output)")
        for stage in ["instrument", "train", "merge", "optimize", "bolt-instrument"] { #expect(output.contains("[\(stage)] reused"), "\(stage)") }
        #expect(output.contains("[bolt-train] resuming: \(finished) of 4 tasks already done"))
        let state = try #require(try StateStore.load(path: sandbox.workDir + "/state.json"))
        #expect(state.stages["bolt-optimize"]?.status == .completed)
        #expect(ELFFile(path: sandbox.workDir + "/out/tl")?.isBolted == true)
    }
}

/// `temper bench` on the real toolchain: baseline built on demand, history and report.json.
@Suite(.serialized) struct BenchSessionTests {
    @Test func benchBuildsTheBaselineAndKeepsItsFigures() async throws {
        let sandbox = try DemoSandbox()
        let profile = try sandbox.writeRaw(name: "bench.toml", sandbox.profileText(name: "bench") + "\n[bench]\nrun = [\"{artifact:tl}\", \"{source}/scripts/fib.tl\", \"2\"]\n")
        var pipeline = PipelineRun.Options(jobs: 2)
        pipeline.workDir = sandbox.workDir
        var options = BenchRun.Options()
        options.runs = 3
        options.warmup = 0
        let result = try await BenchSession(progress: SilentProgress(), logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
            .run(profilePath: profile, pipeline: pipeline, bench: options)
        #expect(result.variants.map(\.name) == ["baseline", "pgo-lto"])
        #expect(result.variants.allSatisfy { $0.wall.samples.count == 3 && $0.binaryBytes > 0 })
        let ratio = try #require(result.variants[1].ratioToBaseline)
        #expect(ratio.low <= ratio.value && ratio.value <= ratio.high)
        let history = try FileManager.default.contentsOfDirectory(atPath: sandbox.workDir + "/bench/history")
        #expect(history.count == 1)
        let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: sandbox.workDir + "/report.json")))
        #expect(report.bench == result)
        #expect(report.baselineArtifacts.count == 1)
        // A later `temper run` that changes nothing keeps the figures in report.json.
        var again = PipelineRun.Options(jobs: 2)
        again.workDir = sandbox.workDir
        again.baseline = true
        let rerun = try await PipelineRun(progress: SilentProgress(), logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })).run(profilePath: profile, options: again)
        #expect(rerun.bench == result)
    }
}

/// A program that sandboxes itself (Linux Landlock: no file writes) when SANDBOX is set, as
/// some compressors do by default: the profile runtimes cannot write at exit.
@Suite(.serialized) struct SandboxedProgramTests {
    let sandbox: DemoSandbox

    init() throws {
        sandbox = try DemoSandbox()
    }

    static let program = """
        #include <linux/landlock.h>
        #include <sys/prctl.h>
        #include <sys/syscall.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            if (getenv("SANDBOX")) {
                struct landlock_ruleset_attr attr = { .handled_access_fs = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG };
                int fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
                if (fd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_landlock_restrict_self, fd, 0)) return 3;
            }
            long n = argc > 1 ? atol(argv[1]) : 1000, sum = 0;
            for (long i = 0; i < n; i++) sum += i % 7 ? i : -i;
            printf("%ld\\n", sum);
            return 0;
        }
        """

    func profile(name: String, trainEnv: String, boltEnv: String) throws -> String {
        let project = sandbox.root + "/sandboxed"
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try Self.program.write(toFile: project + "/main.c", atomically: true, encoding: .utf8)
        try "app: $(SRCDIR)/main.c\n\t$(CC) $(CFLAGS) $(LDFLAGS) -o app $<\n".write(toFile: project + "/Makefile", atomically: true, encoding: .utf8)
        return try sandbox.writeRaw(name: name + ".toml", """
            version = 1
            name = "\(name)"
            [source]
            path = "sandboxed"
            [build]
            build = ["make", "-f", "{source}/Makefile", "SRCDIR={source}", "CC={cc}", "CFLAGS={cflags}", "LDFLAGS={ldflags}"]
            artifacts = ["app"]
            [[train.task]]
            name = "work"
            run = ["/usr/bin/env", \(trainEnv) "{artifact:app}", "200000"]
            [bolt]
            enabled = true
            select = "always"
            [bolt.train]
            [[bolt.train.task]]
            name = "work"
            run = ["/usr/bin/env", \(boltEnv) "{artifact:app}", "200000"]
            """)
    }

    func run(_ profile: String) async throws -> RunReport { try await sandbox.run(profile) }

    /// Whether this kernel enforces Landlock (unknown counts as yes: the test then says why it failed).
    static var landlockAvailable: Bool {
        guard let modules = try? String(contentsOfFile: "/sys/kernel/security/lsm", encoding: .utf8) else { return true }
        return modules.contains("landlock")
    }

    @Test(.enabled(if: landlockAvailable, "the kernel does not enforce Landlock (see /sys/kernel/security/lsm)"))
    func boltTrainingOfASandboxedProgramSaysWhy() async throws {
        let error = try await #require(throws: StageError.self) {
            _ = try await run(try profile(name: "sandboxed-bolt", trainEnv: "", boltEnv: "\"SANDBOX=1\","))
        }
        #expect(error.stage == "bolt-train")
        #expect(error.message.contains("the same task on the uninstrumented PGO+LTO build exits 0, so BOLT's instrumentation runtime is what fails"), "\(error.message)")
        #expect(error.message.contains("Landlock"))
    }

    @Test func pgoTrainingOfASandboxedProgramSaysWhy() async throws {
        let error = try await #require(throws: StageError.self) {
            _ = try await run(try profile(name: "sandboxed-pgo", trainEnv: "\"SANDBOX=1\",", boltEnv: ""))
        }
        #expect(error.stage == "train")
        #expect(error.message.contains("reported a write error") && error.message.contains("sandboxes itself"), "\(error.message)")
    }
}

/// The install stage on a small project: `make install DESTDIR=...` into a tree of its own,
/// the published (BOLTed) artifact placed there, the profile's checks run on it.
@Suite(.serialized) struct InstallStageTests {
    let sandbox: DemoSandbox

    init() throws {
        sandbox = try DemoSandbox()
    }

    func profile(select: String, check: String = "[\"{destdir}/usr/bin/tl\", \"{source}/scripts/primes.tl\", \"2\"]") throws -> String {
        // The demo's Makefile has no install target: the profile's command is the install.
        let text = sandbox.profileText(name: "installed") + """

            [install]
            run = [["mkdir", "-p", "{destdir}/usr/bin", "{destdir}/usr/share/doc"], ["cp", "tl", "{destdir}/usr/bin/tl"], ["sh", "-c", "echo built in {build} > {destdir}/usr/share/doc/BUILD"]]
            artifacts = { tl = "usr/bin/tl" }
            check = [\(check)]
            tarball = true
            relocatable = true

            [bolt]
            enabled = true
            select = "\(select)"
            """
        return try sandbox.writeRaw(name: "installed.toml", text)
    }

    func run(_ profile: String) async throws -> RunReport { try await sandbox.run(profile) }

    @Test func thePublishedArtifactIsInstalledCheckedAndPackaged() async throws {
        let report = try await run(try profile(select: "always"))
        let install = try #require(report.stages.first { $0.name == "install" })
        #expect(install.outcome == .executed)
        #expect(report.stages.map(\.name).suffix(2) == ["bolt-optimize", "install"])
        let installed = sandbox.workDir + "/out/install/usr/bin/tl"
        // BOLT was kept ("always"), so the installed tl is the BOLTed one, not make's copy.
        #expect(ELFFile(path: installed)?.isBolted == true)
        #expect(FileDigest.sha256(of: installed) == FileDigest.sha256(of: sandbox.workDir + "/out/tl"))
        #expect(FileManager.default.isExecutableFile(atPath: installed))
        #expect(FileManager.default.fileExists(atPath: sandbox.workDir + "/out/install.tar.gz"))
        // The text file that named the build directory is rewritten; tl's debug info names "."
        // (-fdebug-prefix-map): nothing names the work dir, so `relocatable = true` passes.
        #expect(install.counts?["files"] == 2 && install.counts?["files_naming_workdir"] == 0 && install.counts?["files_rewritten"] == 1)
        #expect(try String(contentsOfFile: sandbox.workDir + "/out/install/usr/share/doc/BUILD", encoding: .utf8) == "built in .\n")
        // out/install keeps the installed files' modification times (CPython's byte-code is
        // valid only for its source's mtime: a copy with new times made every import recompile).
        // (Whole seconds: what the byte-code records, and what Foundation sets reliably.)
        let modified = { (path: String) in
            (try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date).map { $0.timeIntervalSince1970.rounded(.down) }
        }
        let stageTree = sandbox.workDir + "/stages/install/destdir"
        for file in ["usr/bin/tl", "usr/share/doc/BUILD"] {
            #expect(try modified(sandbox.workDir + "/out/install/" + file) == modified(stageTree + "/" + file))
        }
        // Nothing changed: reused, and out/install stays.
        let again = try await run(try profile(select: "always"))
        #expect(again.stages.allSatisfy { $0.outcome == .reused })
        #expect(FileManager.default.fileExists(atPath: installed))
    }

    @Test func splitDebugShipsTheProgramWithoutItsDebugInfo() async throws {
        let text = try String(contentsOfFile: try profile(select: "always"), encoding: .utf8)
            .replacingOccurrences(of: "relocatable = true\n", with: "relocatable = true\nsplit_debug = true\n")
            .replacingOccurrences(of: "cflags = [\"-O2\"]", with: "cflags = [\"-O2\", \"-g\"]")
        let report = try await run(try sandbox.writeRaw(name: "installed.toml", text))
        let install = try #require(report.stages.first { $0.name == "install" })
        let installed = try #require(ELFFile(path: sandbox.workDir + "/out/install/usr/bin/tl"))
        let published = try #require(ELFFile(path: sandbox.workDir + "/out/tl"))
        // Shipped without DWARF, with a debug link; the debug file sits where gdb looks, by build-id.
        #expect(!installed.hasDebugInfo && installed.sectionNames.contains(".gnu_debuglink") && published.hasDebugInfo)
        let id = try #require(installed.buildIDHex)
        #expect(id == published.buildIDHex)
        let debugFile = sandbox.workDir + "/out/install/usr/lib/debug/.build-id/\(id.prefix(2))/\(id.dropFirst(2)).debug"
        #expect(ELFFile(path: debugFile)?.hasDebugInfo == true)
        #expect(install.counts?["debug_files"] == 1 && (install.counts?["debug_bytes"] ?? 0) > 0)
        let shipped = try #require(install.counts?["shipped_bytes"])
        let bytes = { (path: String) in (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        #expect(shipped < (try bytes(sandbox.workDir + "/out/tl")))
        // The check ran the stripped program; the debug files have a tarball of their own.
        let listing = { (tarball: String) in try Temper.output(of: "/usr/bin/tar", ["-tzf", tarball]) }
        #expect(try !listing(sandbox.workDir + "/out/install.tar.gz").contains("usr/lib/debug"))
        #expect(try listing(sandbox.workDir + "/out/install-debug.tar.gz").contains(".build-id/\(id.prefix(2))/\(id.dropFirst(2)).debug"))
    }

    @Test func aBinaryNamingTheWorkDirFailsARelocatableInstall() async throws {
        // A NUL makes it binary: temper does not rewrite it, so the tree is not relocatable.
        let extra = "run = [[\"mkdir\", \"-p\", \"{destdir}/usr/bin\"], [\"cp\", \"tl\", \"{destdir}/usr/bin/tl\"], [\"sh\", \"-c\", \"printf 'x\\\\000{build}' > {destdir}/usr/bin/data\"]]"
        let text = try String(contentsOfFile: try profile(select: "always"), encoding: .utf8)
            .replacingOccurrences(of: #"run = [["mkdir", "-p", "{destdir}/usr/bin", "{destdir}/usr/share/doc"], ["cp", "tl", "{destdir}/usr/bin/tl"], ["sh", "-c", "echo built in {build} > {destdir}/usr/share/doc/BUILD"]]"#, with: extra)
        let error = try await #require(throws: StageError.self) {
            _ = try await run(try sandbox.writeRaw(name: "installed.toml", text))
        }
        #expect(error.stage == "install" && error.message.contains("still name the work dir") && error.message.contains("usr/bin/data"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir + "/out/install"))
    }

    @Test func aFailingCheckFailsTheStageAndNothingIsInstalledInOut() async throws {
        let error = try await #require(throws: StageError.self) {
            _ = try await run(try profile(select: "always", check: "[\"{destdir}/usr/bin/tl\", \"/nonexistent.tl\"]"))
        }
        #expect(error.stage == "install" && error.message.contains("check"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir + "/out/install"))
    }
}
