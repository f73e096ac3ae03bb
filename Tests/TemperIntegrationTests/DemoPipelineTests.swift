import Foundation
import Logging
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// End-to-end runs of Profiles/demo on the real LLVM toolchain (Scripts/install-toolchain.sh).
/// Each test works on its own copy of the demo sources and its own work dir.
@Suite(.serialized) struct DemoPipelineTests {
    let sandbox: DemoSandbox

    init() throws {
        sandbox = try DemoSandbox()
    }

    func run(_ options: PipelineRun.Options? = nil, profile: String? = nil) async throws -> RunReport {
        try await sandbox.run(profile ?? sandbox.profile, options: options ?? PipelineRun.Options(jobs: 2))
    }

    func outcomes(_ report: RunReport) -> [String: StageOutcome] {
        Dictionary(uniqueKeysWithValues: report.stages.map { ($0.name, $0.outcome) })
    }

    /// The shipped demo profile, BOLT included, end to end.
    @Test func fullRunThenReuseThenSourceChange() async throws {
        var options = PipelineRun.Options(jobs: 2)
        options.baseline = true
        let first = try await run(options)
        #expect(first.status == "succeeded")
        #expect(first.stages.map(\.name) == [
            "instrument", "train", "merge", "optimize", "bolt-build", "bolt-instrument", "bolt-train", "bolt-merge", "bolt-optimize", "baseline",
        ])
        #expect(first.stages.allSatisfy { $0.outcome == .executed })
        let data = try #require(first.profileData)
        #expect((data.functions ?? 0) > 10)
        #expect((data.totalCount ?? 0) > 1_000_000)
        #expect(data.warnings["missing_functions"] == 0)
        #expect(data.warnings["hash_mismatch"] == 0)
        #expect(first.artifacts.map(\.name) == ["tl"])
        #expect(first.artifacts[0].path == sandbox.workDir + "/out/tl")
        #expect(first.baselineArtifacts.map(\.path) == [sandbox.workDir + "/out/baseline/tl"])
        #expect(first.toolchain["llvm-profdata"]?.version == first.toolchain["clang"]?.version)
        #expect(ELFFile(path: sandbox.workDir + "/stages/instrument/build/tl")?.hasProfileInstrumentation == true)
        #expect(ELFFile(path: sandbox.workDir + "/out/tl")?.hasProfileInstrumentation == false)

        // BOLT: out/ holds what the selection decided (the BOLTed tl only if it was measured
        // faster), verified, with BOLT's account.
        let selection = try #require(first.bolt?.selection)
        #expect(selection.workload == "bench" && selection.rounds == 8)
        #expect(ELFFile(path: sandbox.workDir + "/out/tl")?.isBolted == (selection.published != nil))
        #expect(first.artifacts[0].stage == (selection.published == nil ? "optimize" : "bolt-optimize"))
        if let published = selection.published {
            #expect((selection.candidates.first { $0.name == published }?.ratio?.high ?? 1) < 1)
        }
        let bolt = try #require(first.bolt?.artifacts.first)
        #expect(bolt.verified)
        #expect(first.bolt?.verifySeconds?.runs == 8)
        #expect(bolt.flags.contains("-reorder-blocks=ext-tsp") && !bolt.flags.contains { $0.hasPrefix("-icf") })
        let before = try #require(bolt.dynoStats["before"]?["taken_branches"])
        let after = try #require(bolt.dynoStats["after"]?["taken_branches"])
        #expect(after < before)
        #expect(bolt.dynoStats["after"]?["executed_instructions"] ?? .max <= bolt.dynoStats["before"]?["executed_instructions"] ?? 0)
        // Non-PIE with relocations, as BOLT needs: nothing hot was skipped.
        #expect(bolt.hottestFailed.allSatisfy { $0.count == 0 })

        // The report on disk carries the contract's field names.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sandbox.workDir + "/report.json"))) as! [String: Any]
        for key in ["profile", "toolchain", "stages", "profile_data", "artifacts"] { #expect(json[key] != nil, "report.json lacks \(key)") }
        let stage = (json["stages"] as! [[String: Any]])[0]
        for key in ["name", "outcome", "seconds", "fingerprint"] { #expect(stage[key] != nil, "stage entry lacks \(key)") }
        let profileData = json["profile_data"] as! [String: Any]
        for key in ["functions", "total_count", "warnings"] { #expect(profileData[key] != nil) }
        let boltJSON = json["bolt"] as! [String: Any]
        let boltArtifact = (boltJSON["artifacts"] as! [[String: Any]])[0]
        for key in ["dyno_stats", "failed_functions", "hottest_failed", "verified"] { #expect(boltArtifact[key] != nil) }
        let selectionJSON = boltJSON["selection"] as! [String: Any]
        for key in ["workload", "command", "rounds", "select", "pre_bolt", "candidates", "published", "reason"] {
            #expect(selectionJSON.keys.contains(key), "bolt.selection lacks \(key)")
        }

        // The BOLTed binary prints what the PGO+LTO one and the baseline print, on the bench workload.
        let optimizedOutput = try sandbox.bench(sandbox.workDir + "/out/tl")
        #expect(optimizedOutput.contains("checksum"))
        #expect(optimizedOutput == (try sandbox.bench(sandbox.workDir + "/out/baseline/tl")))
        #expect(optimizedOutput == (try sandbox.bench(sandbox.workDir + "/stages/optimize/build/tl")))

        let second = try await run(options)
        #expect(second.stages.allSatisfy { $0.outcome == .reused })
        #expect(second.stages.map(\.fingerprint) == first.stages.map(\.fingerprint))

        // A changed source file invalidates every stage, BOLT's included.
        try sandbox.appendToSource("table.c", "\n/* edited */\n")
        let third = try await run(options)
        #expect(third.stages.allSatisfy { $0.outcome == .executed })
        #expect(third.stages[0].fingerprint != first.stages[0].fingerprint)
    }

    @Test func staticFunctionsKeepTheirProfileAcrossBuildDirectories() async throws {
        // The instrumented and optimized builds run in different directories; with IR PGO a
        // path-dependent name would drop every static function's profile without an error.
        let report = try await run()
        #expect(report.profileData?.warnings["missing_functions"] == 0)
        let log = try String(contentsOfFile: sandbox.workDir + "/logs/optimize.log", encoding: .utf8)
        #expect(log.contains("-fprofile-use="))
        #expect(!log.contains("no profile data available for function"))
    }

    @Test func laterBuildsConfigureAheadOnceAndOnlyWithTheSameCommands() async throws {
        // A configure that records where and how often it ran; flags reach only `build`.
        let text = sandbox.profileText(name: "ahead").replacingOccurrences(of: "[build]\n", with: """
            [build]
            configure = [["sh", "-c", "pwd > configured-in; echo run >> configure-runs"]]
            export_flags = false

            """)
        let profile = try sandbox.writeRaw(name: "ahead.toml", text)
        var options = PipelineRun.Options(jobs: 2)
        options.baseline = true
        options.bolt = false
        let first = try await run(options, profile: profile)
        #expect(first.status == "succeeded")
        let messages = Dictionary(uniqueKeysWithValues: first.stages.map { ($0.name, $0.message ?? "") })
        #expect(messages["instrument"] == "configured optimize ahead, configured baseline ahead")
        #expect(messages["optimize"]?.contains("configured ahead") == true)
        #expect(messages["baseline"] == "configured ahead")
        for variant in ["instrument", "optimize", "baseline"] {
            let build = sandbox.workDir + "/stages/\(variant)/build"
            // Each build directory was configured exactly once, in place, and its marker is spent.
            #expect(try String(contentsOfFile: build + "/configure-runs", encoding: .utf8) == "run\n")
            #expect(try String(contentsOfFile: build + "/configured-in", encoding: .utf8) == build + "\n")
            #expect(!FileManager.default.fileExists(atPath: build + "/" + ConfigureAhead.markerName))
        }
        let optimizeLog = try String(contentsOfFile: sandbox.workDir + "/logs/optimize.log", encoding: .utf8)
        #expect(optimizeLog.hasPrefix("# configure ran ahead") && optimizeLog.contains("logs/optimize.configure-ahead.log"))
        #expect(optimizeLog.contains("-fprofile-use="))
        #expect(try sandbox.bench(sandbox.workDir + "/out/tl") == (try sandbox.bench(sandbox.workDir + "/out/baseline/tl")))

        // Only optimize runs again: no fresh marker, so it configures in its own stage.
        let second = try await run(options, profile: try sandbox.writeRaw(name: "ahead.toml", text + "\n[optimize]\nlto = \"full\"\n"))
        #expect(outcomes(second)["instrument"] == .reused && outcomes(second)["optimize"] == .executed)
        #expect(second.stages.first { $0.name == "optimize" }?.message?.contains("configured ahead") == false)
        #expect(try String(contentsOfFile: sandbox.workDir + "/stages/optimize/build/configure-runs", encoding: .utf8) == "run\n")

        // Only the instrumented build changes: it configures optimize ahead again, but leaves the
        // completed, still-valid baseline alone (its tree and out/baseline stay).
        let baselineBinary = FileDigest.sha256(of: sandbox.workDir + "/stages/baseline/build/tl")
        let third = try await run(options, profile: try sandbox.writeRaw(
            name: "ahead.toml", text + "\n[optimize]\nlto = \"full\"\n[instrument]\ncflags = [\"-g0\"]\n"))
        #expect(outcomes(third)["instrument"] == .executed && outcomes(third)["baseline"] == .reused)
        #expect(third.stages.first { $0.name == "instrument" }?.message == "configured optimize ahead")
        #expect(FileDigest.sha256(of: sandbox.workDir + "/stages/baseline/build/tl") == baselineBinary)
        #expect(try String(contentsOfFile: sandbox.workDir + "/stages/baseline/build/configure-runs", encoding: .utf8) == "run\n")
        #expect(FileDigest.sha256(of: sandbox.workDir + "/out/baseline/tl") == baselineBinary)
    }

    @Test func mixedToolchainIsRefusedBeforeAnyBuild() async throws {
        let mixed = try await sandbox.mixedToolchainDirectory()
        var options = PipelineRun.Options(jobs: 2)
        options.llvmBin = mixed.directory
        let error = try await #require(throws: ToolchainError.self) { _ = try await run(options) }
        guard case .mixedVersions(let compiler, let mismatched) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(compiler.major == (try await TestLLVM.find().major))
        #expect(mismatched.map(\.major) == [mixed.otherMajor])
        #expect(error.description.contains("LLVM \(try await TestLLVM.find().major).") && error.description.contains("LLVM \(mixed.otherMajor)."))
        #expect(ExitStatus.of(error) == ExitStatus.toolchain)
        #expect(!FileManager.default.fileExists(atPath: sandbox.workDir))
    }

    @Test func failingTaskFailsTrainWithItsOutputAndResumes() async throws {
        // The script lives outside the source tree, so creating it later changes no fingerprint.
        let missing = sandbox.root + "/missing.tl"
        let profile = try sandbox.writeProfile(name: "failing", extraTasks: """
            [[train.task]]
            name = "broken"
            run = ["{artifact:tl}", "\(missing)"]
            """)
        do {
            _ = try await run(profile: profile)
            Issue.record("expected train to fail")
        } catch let error as StageError {
            #expect(error.stage == "train")
            #expect(error.message.contains("task broken failed (exit status 1)"))
            #expect(error.message.contains("cannot open"))
            #expect(error.message.contains("full log: \(sandbox.workDir)/logs/train-broken.log"))
            #expect(ExitStatus.of(error) == ExitStatus.stageFailed)
        }
        let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: sandbox.workDir + "/report.json")))
        #expect(report.status == "failed")
        #expect(outcomes(report)["train"] == .failed)
        #expect(outcomes(report)["merge"] == .pending)
        #expect(report.artifacts.isEmpty)

        // With the cause fixed, the next run redoes only the failed task.
        try FileManager.default.copyItem(atPath: sandbox.source + "/scripts/primes.tl", toPath: missing)
        let resumed = try await run(profile: profile)
        #expect(resumed.status == "succeeded")
        #expect(outcomes(resumed)["instrument"] == .reused)
        let train = try #require(resumed.stages.first { $0.name == "train" })
        #expect(train.outcome == .executed)
        #expect(train.counts?["tasks"] == 5 && train.counts?["tasks_reused"] == 4)
    }

    @Test func warnPolicyContinuesPastAFailingTask() async throws {
        let profile = try sandbox.writeProfile(name: "warned", onFailure: "warn", extraTasks: """
            [[train.task]]
            name = "broken"
            run = ["{artifact:tl}", "{source}/scripts/missing.tl"]
            """)
        let report = try await run(profile: profile)
        #expect(report.status == "succeeded")
        #expect(report.stages.first { $0.name == "train" }?.message?.contains("1 failed") == true)
    }

    @Test func taskThatWritesNoProfileFailsTrain() async throws {
        // The profile runtime exits 0 when it cannot write; a task that runs an uninstrumented
        // program looks the same. Both must fail rather than give an empty profile.
        let profile = try sandbox.writeProfile(name: "noprofile", extraTasks: """
            [[train.task]]
            name = "uninstrumented"
            run = ["/bin/true"]
            """)
        let error = try await #require(throws: StageError.self) { _ = try await run(profile: profile) }
        #expect(error.message.contains("task uninstrumented exited 0 but left no non-empty raw profile"))
    }

    @Test func timeoutStopsTheTaskAndItsChildren() async throws {
        // A duration no other suite uses, so the process-table scan cannot see their sleeps.
        let sleep = "sleep 30.\(Int.random(in: 100_000...999_999))"
        let profile = try sandbox.writeProfile(name: "slowtask", extraTasks: """
            [[train.task]]
            name = "sleepy"
            run = ["/bin/sh", "-c", "\(sleep) & setsid \(sleep) & \(sleep); wait"]
            timeout = 1
            """)
        let start = ContinuousClock.now
        let error = try await #require(throws: StageError.self) { _ = try await run(profile: profile) }
        #expect(start.duration(to: .now) < .seconds(20))
        #expect(error.message.contains("timed out after 1 s"))
        try await Task.sleep(for: .milliseconds(300))
        // The setsid child left the task's process group; the command's mark still finds it.
        #expect(try sandbox.processes(matching: sleep).isEmpty)
    }
}

/// Builds that ignore the injected flags must fail the stage, not give a useless binary.
@Suite(.serialized) struct ArtifactCheckTests {
    @Test func buildThatIgnoresInjectedFlagsFailsInstrument() async throws {
        let sandbox = try DemoSandbox()
        let clang = try await TestLLVM.find().tool("clang")
        // CFLAGS/LDFLAGS fixed by the profile instead of {cflags}/{ldflags}: no instrumentation.
        let text = sandbox.profileText(name: "ignores").replacingOccurrences(
            of: "\"CFLAGS={cflags}\", \"LDFLAGS={ldflags}\"", with: "\"CFLAGS=-O2\", \"LDFLAGS=\"")
            .replacingOccurrences(of: "\"CC={cc}\", ", with: "\"CC=\(clang)\", ")
        let profile = try sandbox.writeRaw(name: "ignores.toml", text)
        var options = PipelineRun.Options(jobs: 2)
        options.workDir = sandbox.workDir
        let error = try await #require(throws: StageError.self) {
            _ = try await PipelineRun(progress: SilentProgress(), logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
                .run(profilePath: profile, options: options)
        }
        #expect(error.stage == "instrument")
        #expect(error.message.contains("has no profile instrumentation"))
    }
}
