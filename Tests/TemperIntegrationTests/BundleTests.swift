import Foundation
import Logging
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// Profile bundles and the shared compile cache on the real toolchain: train in one work dir,
/// build in another; edited sources; a profile format the toolchain cannot read; shards
/// trained in two work dirs and merged; ccache sharing compiles through a real redis-server.
@Suite(.serialized) struct BundleTests {
    let sandbox: DemoSandbox

    init() throws {
        sandbox = try DemoSandbox()
    }

    /// The demo with BOLT on (one selection round, `select = "always"`: these tests are about
    /// what a bundle carries, not about whether BOLT pays on this machine today). Non-PIE
    /// (accepted): on a PIE, BOLT leaves the demo's changed jump-table functions alone, so
    /// stale matching would have nothing to infer.
    func boltProfile() throws -> String {
        try sandbox.writeRaw(
            name: "bundle-bolt.toml",
            sandbox.profileText(name: "bundle-bolt") + "\n[bolt]\nenabled = true\nselect = \"always\"\nselection_runs = 1\naccept_non_pie = true\n")
    }

    func options(workDir: String, bundle: String? = nil, bolt: Bool? = nil) -> PipelineRun.Options {
        var options = PipelineRun.Options(jobs: 2)
        options.workDir = workDir
        options.profileBundle = bundle
        options.bolt = bolt
        return options
    }

    func export(_ workDir: String, to name: String) async throws -> String {
        let path = sandbox.root + "/" + name
        _ = try await BundleExporter().export(workDir: WorkDir(root: workDir), to: path)
        return path
    }

    func sha256(_ path: String) -> String? { FileDigest.sha256(of: path) }

    @Test func aBundleBuildsTheSameBinariesInAFreshWorkDir() async throws {
        let profile = try boltProfile()
        let first = try await sandbox.run(profile, workDir: sandbox.workDir, options: options(workDir: sandbox.workDir))
        #expect(first.status == "succeeded")
        let bundle = try await export(sandbox.workDir, to: "demo.bundle")

        let read = try ProfileBundle.read(path: bundle)
        let manifest = read.manifest
        #expect(manifest.profileName == "bundle-bolt")
        #expect(manifest.toolchain.llvmMajor == (try await TestLLVM.find().major) && manifest.toolchain.profileFormatVersion >= 10)
        #expect(manifest.training.filter { $0.stage == "train" }.map(\.name) == ["primes", "collatz", "hash", "fib"])
        #expect(manifest.training.filter { $0.stage == "bolt-train" }.count == 4)
        #expect(manifest.profile.functions == first.profileData?.functions)
        #expect(manifest.sources.files["vm.c"] == sha256(sandbox.source + "/vm.c"))
        #expect(manifest.bolt?.profiles.map(\.artifact) == ["tl"])
        #expect(manifest.bolt?.profiles.first?.yaml != nil)
        #expect(manifest.bolt?.selectedCandidate == first.bolt?.selection?.published)
        // The bundle names no path of the work dir it came from, except in the training
        // commands (which say where they ran).
        for (name, data) in read.files {
            #expect(!String(decoding: data, as: UTF8.self).contains(sandbox.workDir), "\(name) names the work dir")
        }
        // Same contents, same bytes.
        let again = try await export(sandbox.workDir, to: "demo-again.bundle")
        let reread = try ProfileBundle.read(path: again)
        #expect(reread.files == read.files)

        let second = sandbox.root + "/second"
        let built = try await sandbox.run(profile, workDir: second, options: options(workDir: second, bundle: bundle))
        #expect(built.status == "succeeded")
        #expect(built.stages.map(\.name) == ["import", "optimize", "bolt-build", "bolt-optimize"])
        // Same toolchain, same sources, same profile: the same bytes, every BOLT candidate included.
        // (Which candidate is published is the selection's wall-time decision, measured again in
        // each work dir, so the published file is compared only when both chose the same.)
        #expect(sha256(second + "/stages/optimize/build/tl") == sha256(sandbox.workDir + "/stages/optimize/build/tl"))
        for tree in ["tree", "tree-skip-dispatch"] {
            let mine = sha256(sandbox.workDir + "/stages/bolt-optimize/\(tree)/tl")
            #expect(mine != nil && sha256(second + "/stages/bolt-optimize/\(tree)/tl") == mine, "\(tree)")
        }
        if built.bolt?.selection?.published == first.bolt?.selection?.published {
            #expect(built.artifacts.map(\.sha256) == first.artifacts.map(\.sha256))
        }
        let staleness = try #require(built.staleness)
        #expect(staleness.sources.sameSources)
        #expect(staleness.hotMatchedPercent == 100)
        #expect(staleness.functionsHashMismatch == 0 && staleness.functionsNoData == 0)
        #expect(staleness.bolt?.first?.binaryChanged == false)
        #expect(staleness.summaryLine.hasPrefix("profile from \(manifest.created.prefix(10)), 100% of hot functions matched"))

        // The same bundle reuses everything; a copy of it elsewhere too (the digest decides, not the path).
        let copy = sandbox.root + "/copy.bundle"
        try FileManager.default.copyItem(atPath: bundle, toPath: copy)
        let rerun = try await sandbox.run(profile, workDir: second, options: options(workDir: second, bundle: copy))
        #expect(rerun.stages.allSatisfy { $0.outcome == .reused })

        // Weighted merges weight the BOLT profiles too, the YAML form (stale matching) included.
        let weighted = sandbox.root + "/weighted.bundle"
        let (mergeStatus, mergeOutput) = try await Temper.run(["bundle", "merge", bundle, copy, "--weights", "2,1", "--llvm-bin", try await TestLLVM.find().bin, "-o", weighted])
        #expect(mergeStatus == 0, "\(mergeOutput)")
        let merged = try ProfileBundle.read(path: weighted)
        let entry = try #require(merged.manifest.bolt?.profiles.first)
        func firstCount(_ pattern: String, _ data: Data?) -> Int? {
            let text = String(decoding: data ?? Data(), as: UTF8.self)
            guard let range = text.range(of: pattern) else { return nil }
            return Int(text[range.upperBound...].prefix { $0 == " " || $0.isNumber }.trimmingCharacters(in: .whitespaces))
        }
        let original = try #require(manifest.bolt?.profiles.first)
        let originalYAML = try #require(original.yaml)
        let mergedYAML = try #require(entry.yaml)
        let yamlCount = try #require(firstCount("exec:", read.files[originalYAML]))
        #expect(firstCount("exec:", merged.files[mergedYAML]) == 3 * yamlCount)
        #expect(merged.files[entry.fdata] != read.files[original.fdata])

        // A work dir built from a bundle trained nothing: exporting from it says so.
        let (reexport, reexportOutput) = try await Temper.run(["bundle", "export", "--workdir", second, "-o", sandbox.root + "/re.bundle"])
        #expect(reexport == 2 && reexportOutput.contains("it was built from a profile bundle"))
    }

    @Test func aBundleFromOtherSourcesBuildsAndNamesWhatChanged() async throws {
        let profile = try boltProfile()
        _ = try await sandbox.run(profile, workDir: sandbox.workDir, options: options(workDir: sandbox.workDir))
        let bundle = try await export(sandbox.workDir, to: "old.bundle")

        // The next release: one function changed, one file added (and the Makefile that builds it).
        let lexer = sandbox.source + "/lexer.c"
        let text = try String(contentsOfFile: lexer, encoding: .utf8)
        try text.replacingOccurrences(
            of: "static void skip_space_and_comments(struct lexer *lx) {",
            with: "static void skip_space_and_comments(struct lexer *lx) {\n    if (lx == 0) return;"
        ).write(toFile: lexer, atomically: true, encoding: .utf8)
        try "int extra_scale(int x) { return x > 3 ? x * 2 : x + 1; }\n".write(toFile: sandbox.source + "/extra.c", atomically: true, encoding: .utf8)
        let makefile = sandbox.source + "/Makefile"
        try String(contentsOfFile: makefile, encoding: .utf8).replacingOccurrences(of: "OBJS = vm.o lexer.o table.o", with: "OBJS = vm.o lexer.o table.o extra.o")
            .write(toFile: makefile, atomically: true, encoding: .utf8)

        let report = try await sandbox.run(profile, workDir: sandbox.root + "/next", options: options(workDir: sandbox.root + "/next", bundle: bundle))
        #expect(report.status == "succeeded")
        let staleness = try #require(report.staleness)
        #expect(!staleness.sources.sameSources)
        #expect(staleness.sources.filesChanged == ["Makefile", "lexer.c"])
        #expect(staleness.sources.filesAdded == ["extra.c"])
        #expect(staleness.sources.filesRemoved == [])
        // The changed function (or the one it is inlined into) lost its profile; the new one has none.
        #expect((staleness.functionsHashMismatch ?? 0) >= 1)
        #expect(staleness.noDataNames == ["extra_scale"])
        #expect((staleness.hotMatchedPercent ?? 100) < 100)
        #expect((staleness.functionsApplied ?? 0) > 10)
        // The binary changed, so BOLT got the YAML profile and inferred the stale functions.
        let bolt = try #require(staleness.bolt?.first)
        #expect(bolt.binaryChanged == true && bolt.inferStaleProfile)
        #expect((bolt.functionsWithProfile ?? 0) > 10)
        #expect(bolt.functionsInferred != nil)
        #expect(staleness.summaryLine.contains("% of hot functions matched (2 file(s) changed, 1 added, 0 removed)"))
    }

    @Test func aBundleTheToolchainCannotReadIsRefusedBeforeAnyBuild() async throws {
        let profile = try sandbox.writeProfile(name: "bundle-format")
        _ = try await sandbox.run(profile, workDir: sandbox.workDir, options: options(workDir: sandbox.workDir, bolt: false))
        let bundle = try await export(sandbox.workDir, to: "current.bundle")
        // What a newer LLVM writes: the same profile with a higher format version.
        var newer = try ProfileBundle.read(path: bundle)
        let profileData = ProfileFormat.withHeaderVersion(newer.files[BundleManifest.profileFile]!, 99)
        #expect(ProfileFormat.headerVersion(profileData) == 99)
        newer.files[BundleManifest.profileFile] = profileData
        newer.manifest.profile.sha256 = FileDigest.sha256(of: profileData)
        newer.manifest.toolchain.compilerVersion = "99.0.0"
        let future = sandbox.root + "/future.bundle"
        try newer.write(to: future)

        let workDir = sandbox.root + "/refused"
        let (status, output) = try await Temper.run(["run", profile, "--workdir", workDir, "--profile-bundle", future, "--no-bolt"])
        #expect(status == 3)
        #expect(output.contains("format version 99 (written by LLVM 99.0.0)"))
        #expect(output.contains("reads format version \(try ProfileBundle.read(path: bundle).manifest.toolchain.profileFormatVersion) at most"))
        #expect(!FileManager.default.fileExists(atPath: workDir + "/stages"))
        // Checked before the work dir is locked or created.
        #expect(!FileManager.default.fileExists(atPath: workDir))

        // Not a bundle, or one that does not fit the run: bad input, before anything is made.
        let garbage = try sandbox.writeRaw(name: "garbage.bundle", "not a tar archive")
        let (garbageStatus, garbageOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.root + "/g", "--profile-bundle", garbage])
        #expect(garbageStatus == 2 && garbageOutput.contains("not a usable temper profile bundle"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/g"))
        let (boltStatus, boltOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.root + "/b", "--profile-bundle", bundle, "--bolt"])
        #expect(boltStatus == 2 && boltOutput.contains("has no BOLT profile for tl"))
        let (missingStatus, _) = try await Temper.run(["run", profile, "--workdir", sandbox.root + "/m", "--profile-bundle", sandbox.root + "/none.bundle"])
        #expect(missingStatus == 2)
        // A training task the profile does not have: bad input, before anything is made.
        let (tasksStatus, tasksOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.root + "/t", "--tasks", "primes,nope"])
        #expect(tasksStatus == 2 && tasksOutput.contains("--tasks: the profile has no training task `nope`"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/t"))
        // A launcher that is not there: a toolchain problem, before anything is made.
        let (launcherStatus, launcherOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.root + "/l", "--launcher", "/nonexistent/ccache"])
        #expect(launcherStatus == 3 && launcherOutput.contains("the compiler launcher `/nonexistent/ccache` is not an executable file"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/l"))
        // A directory is not a program (it has its x bit too); a file is not a cache directory.
        let (directoryStatus, directoryOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.root + "/l", "--launcher", sandbox.root])
        #expect(directoryStatus == 3 && directoryOutput.contains("the compiler launcher `\(sandbox.root)` is not an executable file"))
        let (cacheStatus, cacheOutput) = try await Temper.run(["run", profile, "--workdir", sandbox.root + "/l", "--thinlto-cache", future])
        #expect(cacheStatus == 2 && cacheOutput.contains("--thinlto-cache: \(future) is a file, not a directory"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/l"))
        let (weightsStatus, weightsOutput) = try await Temper.run(["bundle", "merge", bundle, bundle, "--weights", "1,0", "-o", sandbox.root + "/w.bundle"])
        #expect(weightsStatus == 2 && weightsOutput.contains("--weights: `0` is not a whole number from 1 to 1000000"))
        let (showStatus, showOutput) = try await Temper.run(["bundle", "show", bundle])
        #expect(showStatus == 0 && showOutput.contains("profile bundle for `bundle-format`") && showOutput.contains("indexed profile format version"))
        let (overwrite, overwriteOutput) = try await Temper.run(["bundle", "export", "--workdir", sandbox.workDir, "-o", bundle])
        #expect(overwrite == 2 && overwriteOutput.contains("never overwrites"))
        let (nowhere, nowhereOutput) = try await Temper.run(["bundle", "export", "--workdir", sandbox.workDir, "-o", sandbox.root + "/none/x.bundle"])
        #expect(nowhere == 2 && nowhereOutput.contains("the directory \(sandbox.root)/none does not exist"))
        // Options about training do not apply to a run from a bundle: refused, before anything is made.
        for option in [["--to", "train"], ["--from", "merge"], ["--tasks", "primes"]] {
            let (status, output) = try await Temper.run(["run", profile, "--workdir", sandbox.root + "/o", "--profile-bundle", bundle] + option)
            #expect(status == 2 && output.contains("this run builds from a profile bundle"), "\(option)")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/o"))
    }

    @Test func shardsTrainedInTwoWorkDirsMergeIntoTheOneMachineProfile() async throws {
        let profile = try sandbox.writeProfile(name: "bundle-shards")
        let whole = try await sandbox.run(profile, workDir: sandbox.workDir, options: options(workDir: sandbox.workDir, bolt: false))
        var shardOptions = options(workDir: sandbox.root + "/machine-a", bolt: false)
        shardOptions.to = .train
        shardOptions.tasks = ["primes", "collatz"]
        let a = try await sandbox.run(profile, workDir: shardOptions.workDir, options: shardOptions)
        #expect(a.stages.first { $0.name == "train" }?.counts?["tasks"] == 2)
        shardOptions.workDir = sandbox.root + "/machine-b"
        shardOptions.tasks = ["hash", "fib"]
        _ = try await sandbox.run(profile, workDir: shardOptions.workDir, options: shardOptions)
        let bundleA = try await export(sandbox.root + "/machine-a", to: "a.bundle")
        let bundleB = try await export(sandbox.root + "/machine-b", to: "b.bundle")

        let toolchain = try await ToolchainResolver(runner: SubprocessRunner()).resolve(llvmBin: try await TestLLVM.find().bin)
        let merged = sandbox.root + "/merged.bundle"
        let manifest = try await BundleMerger().merge([bundleA, bundleB], weights: [1, 1], output: merged, toolchain: toolchain, bolt: nil)
        #expect(manifest.parts?.map(\.tasks) == [["train/primes", "train/collatz"], ["train/hash", "train/fib"]])
        #expect(manifest.profile.totalCount == whole.profileData?.totalCount)
        // Deterministic: the same parts give the same bytes; other weights other bytes.
        let again = sandbox.root + "/merged-again.bundle"
        _ = try await BundleMerger().merge([bundleA, bundleB], weights: [1, 1], output: again, toolchain: toolchain, bolt: nil)
        #expect(sha256(merged) == sha256(again))
        let weighted = sandbox.root + "/weighted.bundle"
        let weightedManifest = try await BundleMerger().merge([bundleA, bundleB], weights: [2, 1], output: weighted, toolchain: toolchain, bolt: nil)
        #expect(weightedManifest.parts?.map(\.weight) == [2, 1])
        #expect(sha256(weighted) != sha256(merged))

        let built = try await sandbox.run(profile, workDir: sandbox.root + "/built", options: options(workDir: sandbox.root + "/built", bundle: merged, bolt: false))
        // The shards partition the tasks, so the merged counts are the one-machine counts.
        #expect(built.artifacts.map(\.sha256) == whole.artifacts.map(\.sha256))
        #expect(built.staleness?.hotMatchedPercent == 100)
    }

    @Test func ccacheSharesCompilesBetweenWorkDirsThroughRedis() async throws {
        let port = Int.random(in: 20_000..<40_000)
        let redis = Process()
        redis.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        redis.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", sandbox.root]
        // Its output must not hold the test runner's pipes open, and it must not outlive the test.
        redis.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        redis.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try redis.run()
        defer { kill(redis.processIdentifier, SIGKILL) }
        try await Temper.waitUntil(timeout: 10) {
            (try? Temper.output(of: "/usr/bin/redis-cli", ["-p", "\(port)", "ping"]))?.contains("PONG") == true
        }
        // Two machines: a local ccache directory each, one redis.
        func machine(_ name: String) throws -> String {
            let text = sandbox.profileText(name: "cache-" + name).replacingOccurrences(
                of: "cflags = [\"-O2\"]",
                with: "cflags = [\"-O2\", \"-g\"]\nlauncher = [\"ccache\"]\nenv = { CCACHE_DIR = \"\(sandbox.root)/ccache-\(name)\", CCACHE_REMOTE_STORAGE = \"redis://127.0.0.1:\(port)\" }")
            return try sandbox.writeRaw(name: "cache-\(name).toml", text)
        }
        var first = options(workDir: sandbox.root + "/first", bolt: false)
        first.baseline = true
        let cold = try await sandbox.run(try machine("a"), workDir: first.workDir, options: first)
        #expect(cold.compileCache?["optimize"]?.misses == 3)
        var second = options(workDir: sandbox.root + "/second", bolt: false)
        second.baseline = true
        let warm = try await sandbox.run(try machine("b"), workDir: second.workDir, options: second)
        for stage in ["instrument", "optimize", "baseline"] {
            let stats = try #require(warm.compileCache?[stage], "\(stage) has no compile cache figures")
            #expect(stats.hits == 3 && stats.misses == 0 && stats.remoteHits == 3, "\(stage): \(stats)")
        }
        // Cached objects give the same program: the optimized tl is the first work dir's.
        #expect(warm.artifacts.map(\.sha256) == cold.artifacts.map(\.sha256))
        // The launcher is in the plan's compiler words, and temper's ccache settings in its environment.
        let log = try String(contentsOfFile: sandbox.root + "/second/logs/optimize.log", encoding: .utf8)
        #expect(log.contains("ccache \(try await TestLLVM.find().tool("clang"))") && log.contains("CCACHE_BASEDIR=\(sandbox.root)/second"))
        #expect(log.contains("-fprofile-use=../../../cache/pgo/"))
    }
}

/// An edit does not mean retraining: the last training's profile is applied to the edited
/// sources (as a bundle would be, with the staleness report); too little of it matching, a
/// changed training or `--retrain` train again.
@Suite(.serialized) struct EditWithoutRetrainingTests {
    let sandbox: DemoSandbox

    init() throws {
        sandbox = try DemoSandbox()
    }

    func run(_ profile: String, retrain: Bool = false) async throws -> RunReport {
        var options = PipelineRun.Options(jobs: 2)
        options.retrain = retrain
        return try await sandbox.run(profile, options: options)
    }

    func executed(_ report: RunReport) -> [String] { report.stages.filter { $0.outcome == .executed }.map(\.name) }

    @Test func aOneLineEditRebuildsWithoutRetraining() async throws {
        let profile = try sandbox.writeProfile(name: "edit")
        let first = try await run(profile)
        #expect(executed(first) == ["instrument", "train", "merge", "optimize"] && first.training == nil)
        // A comment: the rerun executes neither instrument nor train, and says why.
        try sandbox.appendToSource("lexer.c", "/* a comment */\n")
        let edited = try await run(profile)
        #expect(edited.stages.map(\.name) == ["import", "optimize"] && executed(edited) == ["import", "optimize"])
        let staleness = try #require(edited.staleness)
        #expect(staleness.sources.filesChanged == ["lexer.c"] && staleness.hotMatchedPercent == 100)
        #expect(edited.training?.contains("not retrained") == true)
        // Nothing else changed: all reused, the same bundle.
        let again = try await run(profile)
        #expect(again.stages.allSatisfy { $0.outcome == .reused } && again.training != nil)
        // --retrain trains on the edited sources; then a plain run reuses that training.
        let retrained = try await run(profile, retrain: true)
        #expect(executed(retrained).starts(with: ["instrument", "train", "merge"]) && retrained.staleness == nil)
        #expect(try await run(profile).stages.allSatisfy { $0.outcome == .reused })
    }

    @Test func tooLittleMatchingRetrainsAndSoDoesAChangedTraining() async throws {
        // Every hot function must match: a change inside one retrains.
        let text = try String(contentsOfFile: try sandbox.writeProfile(name: "strict"), encoding: .utf8)
            .replacingOccurrences(of: "[train]\n", with: "[train]\nretrain_below = 100\n")
        let profile = try sandbox.writeRaw(name: "strict.toml", text)
        _ = try await run(profile)
        let lexer = sandbox.source + "/lexer.c"
        try String(contentsOfFile: lexer, encoding: .utf8).replacingOccurrences(
            of: "static void skip_space_and_comments(struct lexer *lx) {", with: "static void skip_space_and_comments(struct lexer *lx) {\n    if (lx == 0) return;"
        ).write(toFile: lexer, atomically: true, encoding: .utf8)
        let report = try await run(profile)
        #expect(report.training?.hasPrefix("retrained") == true, "\(report.training ?? "nil")")
        #expect(executed(report).starts(with: ["instrument", "train", "merge"]) && report.staleness == nil)
        // A changed training command (and the sources): no reuse of the old training.
        try sandbox.appendToSource("lexer.c", "/* later */\n")
        let changed = try sandbox.writeRaw(name: "strict.toml", text.replacingOccurrences(of: "\"3\"]", with: "\"4\"]"))
        let retrained = try await run(changed)
        #expect(executed(retrained).starts(with: ["instrument", "train", "merge"]) && retrained.training == nil)
    }
}
