import Foundation
import PropertyBased
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// Profile bundles as data: the archive, the manifest checks, weights, staleness figures,
/// compile cache statistics, and the plans a bundle or a launcher gives.
@Suite struct BundleUnitTests {
    static let name = Gen.element(of: ["a", "b", "bolt", "x.fdata", "manifest.json", "p"]).map { $0 ?? "a" }
        .array(of: 1...3).map { $0.joined(separator: "/") }
    static let bytes = Gen.element(of: [UInt8(0), 1, 47, 255, 10]).map { $0 ?? 0 }.array(of: 0...1500)

    @Test func archivesRoundTripAndAreDeterministic() async {
        await propertyCheck(input: Self.name.array(of: 0...5), Self.bytes.array(of: 0...5)) { names, contents in
            var entries: [String: Data] = [:]
            for (name, content) in zip(names, contents) { entries[name] = Data(content) }
            let written = try! TarArchive.write(entries)
            #expect(written.count % 512 == 0)
            #expect(try! TarArchive.read(written) == entries)
            // The same entries, given in another order, give the same bytes.
            #expect(try! TarArchive.write(Dictionary(uniqueKeysWithValues: entries.reversed())) == written)
        }
    }

    @Test func archivesRefuseUnsafeNamesAndDamage() throws {
        for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a/.", String(repeating: "n", count: 101)] {
            #expect(throws: TarArchive.Failure.badName(bad)) { try TarArchive.write([bad: Data()]) }
        }
        let good = try TarArchive.write(["a": Data("hello".utf8)])
        #expect(throws: TarArchive.Failure.self) { try TarArchive.read(good.prefix(700)) }
        var damaged = good
        damaged[514] = 0x41  // the content is not in the checksum (the manifest's digests cover it); the header is
        #expect(try TarArchive.read(damaged)["a"] != Data("hello".utf8))
        damaged = good
        damaged[10] = 0x41
        #expect(throws: TarArchive.Failure.self) { try TarArchive.read(damaged) }
        #expect(throws: TarArchive.Failure.self) { try TarArchive.read(Data("not an archive".utf8)) }
    }

    func manifest() -> BundleManifest {
        BundleManifest(
            temperVersion: "test", profileName: "demo", created: "2026-12-01T00:00:00Z", host: "h",
            toolchain: .init(compiler: "clang", compilerPath: "/usr/bin/clang", compilerVersion: "22.1.8", llvmMajor: 22, profileFormatVersion: 13),
            sources: .init(digest: "d", files: ["a.c": "1"]), training: [],
            profile: .init(file: BundleManifest.profileFile, sha256: FileDigest.sha256(of: Data("P".utf8)), functions: 3, totalCount: 9, functionsExecuted: 2),
            bolt: nil, parts: nil)
    }

    func written(_ bundle: ProfileBundle) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)").path
        try bundle.write(to: path)
        return path
    }

    @Test func bundlesAreCheckedWhenRead() throws {
        let good = ProfileBundle(manifest: manifest(), files: [BundleManifest.profileFile: Data("P".utf8)])
        let path = try written(good)
        let read = try ProfileBundle.read(path: path)
        #expect(read.manifest == good.manifest)
        #expect(read.sha256 == FileDigest.sha256(of: path))
        #expect(throws: BundleError.wontOverwrite(path)) { try good.write(to: path) }

        var damaged = good
        damaged.files[BundleManifest.profileFile] = Data("Q".utf8)
        #expect(throws: BundleError.self) { try ProfileBundle.read(path: try written(damaged)) }
        var newer = good
        newer.manifest.version = 99
        #expect { try ProfileBundle.read(path: try written(newer)) } throws: { "\($0)".contains("version 99") }
        var missing = good
        missing.files = [:]
        #expect { try ProfileBundle.read(path: try written(missing)) } throws: { "\($0)".contains("does not hold") }
        var unsafe = good
        unsafe.manifest.bolt = .init(profiles: [.init(artifact: "../x", fdata: BundleManifest.profileFile, fdataSha256: good.manifest.profile.sha256)])
        #expect { try ProfileBundle.read(path: try written(unsafe)) } throws: { "\($0)".contains("not a plain file name") }
        var twice = good
        let entry = BundleManifest.BoltProfile(artifact: "tl", fdata: BundleManifest.profileFile, fdataSha256: good.manifest.profile.sha256)
        twice.manifest.bolt = .init(profiles: [entry, entry])
        #expect { try ProfileBundle.read(path: try written(twice)) } throws: { "\($0)".contains("lists the BOLT artifact `tl` twice") }
        #expect(throws: BundleError.self) { try ProfileBundle.read(path: "/nonexistent/bundle") }
        #expect(throws: BundleError.self) { try ProfileBundle.read(path: "/") }
    }

    /// What a hostile bundle says never reaches the terminal raw, and every file its manifest
    /// names (YAML and dispatch lists too) is checked when it is read.
    @Test func hostileManifestsAndDamagedBoltFilesAreRefusedWhenRead() throws {
        let good = ProfileBundle(manifest: manifest(), files: [BundleManifest.profileFile: Data("P".utf8)])
        var escape = good
        escape.manifest.host = "evil\u{1b}]0;owned\u{07}host"
        let error = try #require(throws: BundleError.self) { try ProfileBundle.read(path: try written(escape)) }
        #expect("\(error)".contains("control characters (in host)") && !"\(error)".contains("\u{1b}"))
        #expect(TerminalText.escaped("a\u{1b}[2Jb") == "a\\u{1b}[2Jb" && TerminalText.escaped("x\ny", keepingLines: true) == "x\ny")
        // YAML and dispatch files carry checksums: a damaged one is refused at once.
        var bolt = good
        let fdata = Data("1 main 0 1 main 4 0 1\n".utf8)
        bolt.files["bolt/tl.fdata"] = fdata
        bolt.files["bolt/tl.yaml"] = Data("---\n".utf8)
        bolt.files["bolt/tl.dispatch"] = Data("main\n".utf8)
        bolt.manifest.bolt = .init(profiles: [.init(artifact: "tl", fdata: "bolt/tl.fdata", fdataSha256: FileDigest.sha256(of: fdata), yaml: "bolt/tl.yaml", dispatch: "bolt/tl.dispatch")])
        let read = try ProfileBundle.read(path: try written(bolt))
        #expect(read.manifest.bolt?.profiles.first?.yamlSha256 == FileDigest.sha256(of: Data("---\n".utf8)))
        var damaged = read
        damaged.files["bolt/tl.dispatch"] = Data("other\n".utf8)
        // Written as it is (the damaged file and the recorded checksum), read back: refused.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)").path
        var entries = damaged.files
        entries[BundleManifest.fileName] = try JSONEncoder.temper.encode(read.manifest)
        try TarArchive.write(entries).write(to: URL(fileURLWithPath: path))
        #expect { try ProfileBundle.read(path: path) } throws: { "\($0)".contains("bolt/tl.dispatch does not have the SHA-256") }
    }

    @Test func weightsAreRangeChecked() throws {
        #expect(try BundleMerger.parseWeights(nil, count: 3) == [1, 1, 1])
        #expect(try BundleMerger.parseWeights("2, 1", count: 2) == [2, 1])
        for bad in ["0,1", "-1,1", "1.5,1", "nan,1", "inf,1", "1e3,1", "99999999999999999999,1", "1,,1", "", "1"] {
            #expect(throws: BundleError.self, "\(bad)") { try BundleMerger.parseWeights(bad, count: 2) }
        }
    }

    @Test func fdataCountsScaleWithoutOverflow() {
        let text = "1 main 10 1 main 20 3 7\nno_lbr\n1 f 1 1 g 2 0 \(Int.max / 2 + 1)\n"
        let scaled = String(decoding: BundleMerger.scaled(fdata: Data(text.utf8), by: 2), as: UTF8.self)
        #expect(scaled == "1 main 10 1 main 20 6 14\nno_lbr\n1 f 1 1 g 2 0 \(Int.max)\n")
        #expect(BundleMerger.scaled(fdata: Data(text.utf8), by: 1) == Data(text.utf8))
    }

    @Test func yamlCountersScaleAndNothingElseDoes() {
        let text = """
        ---
        header:
          profile-version: 1
          hash-func:       xxh3
        functions:
          - name:            'odd exec: 5'
            fid:             1
            hash:            0x3D77DD00BAE820F2
            exec:            12
            nblocks:         2
            blocks:
              - bid:             0
                insns:           9
                exec:            12
                calls:           [ { off: 0x11, fid: 37, cnt: 12, mis: 1 } ]
                succ:            [ { bid: 3, cnt: 0 }, { bid: 1, cnt: \(Int.max / 2 + 1) } ]

        """
        let scaled = String(decoding: BundleMerger.scaled(yaml: Data(text.utf8), by: 3), as: UTF8.self)
        let expected = text
            .replacingOccurrences(of: "exec:            12", with: "exec:            36")
            .replacingOccurrences(of: "cnt: 12, mis: 1", with: "cnt: 36, mis: 3")
            .replacingOccurrences(of: "cnt: \(Int.max / 2 + 1)", with: "cnt: \(Int.max)")
        #expect(scaled == expected)
        #expect(BundleMerger.scaled(yaml: Data(text.utf8), by: 1) == Data(text.utf8))
    }

    @Test func coveredFunctionsAreOneNamePerLine() {
        let text = "symtab_new\nvm.c;statement\n\n  intmap_get  \nwarning: something odd\n"
        #expect(ProfileSummary.coveredFunctions(text) == ["symtab_new", "vm.c;statement", "intmap_get"])
        #expect(ProfileSummary.coveredFunctions("") == [])
    }

    @Test func profileFormatVersions() {
        var header = Data([0xff, 0x6c, 0x70, 0x72, 0x6f, 0x66, 0x69, 0x81, 13, 0, 0, 0, 0, 0, 0, 1])
        #expect(ProfileFormat.headerVersion(header) == 13)
        header = ProfileFormat.withHeaderVersion(header, 300)
        #expect(ProfileFormat.headerVersion(header) == 300)
        #expect(ProfileFormat.headerVersion(Data("not a profile....".utf8)) == nil)
        #expect(ProfileFormat.reported("Total count: 5\nProfile version: 13\n") == 13)
        #expect(ProfileFormat.reported("Total count: 5\n") == nil)
    }

    @Test func compilerMismatchWarningsNameTheFunctions() {
        let log = """
            warning: lexer.c: function control flow change detected (hash mismatch) lex_next Hash = 885447343267738419 up to 57789897 count discarded [-Wbackend-plugin]
            warning: lexer.c: no profile data available for function extra_fn Hash = 742261418966908927 up to 0 count discarded [-Wbackend-plugin]
            warning: added.c: no profile data available for function added_fn Hash = 1 up to 0 count discarded [-Wbackend-plugin]
            warning: lexer.c: function control flow change detected (hash mismatch) lex_next Hash = 885447343267738419 up to 57789897 count discarded [-Wbackend-plugin]
            """
        let parsed = ProfileMismatches.parse(log)
        #expect(parsed.hashMismatch == ["lex_next"])
        #expect(parsed.noData == ["added_fn", "extra_fn"])
    }

    @Test func ccacheStatisticsLogIsCountedPerCall() {
        let log = """
            # /src/a.c
            direct_cache_hit
            local_storage_hit
            # /src/b.c
            cache_miss
            direct_cache_miss
            local_storage_write
            # /src/c.c
            preprocessed_cache_hit
            remote_storage_hit
            local_storage_miss
            # /src/c.c
            called_for_link
            """
        let stats = CompileCacheStats.parse(log)
        #expect(stats.hits == 2 && stats.misses == 1 && stats.uncacheable == 1 && stats.remoteHits == 1)
        #expect(CompileCacheStats(counts: stats.counts) == stats)
        #expect(stats.hitPercent.map { Int($0) } == 66)
        #expect(CompileCacheStats.parse("").hitPercent == nil)
    }

    @Test func sourceChangesAreSortedAndComplete() async {
        let listing = Gen.element(of: ["a", "b", "c", "d"]).map { $0 ?? "a" }.array(of: 0...4)
        await propertyCheck(input: listing, listing, Gen.bool) { old, new, flip in
            let before = Dictionary(old.map { ($0, "1") }, uniquingKeysWith: { a, _ in a })
            let after = Dictionary(new.map { ($0, flip ? "2" : "1") }, uniquingKeysWith: { a, _ in a })
            let changes = SourceSnapshot(digest: "", files: after).changes(since: before)
            #expect(Set(changes.added) == Set(after.keys).subtracting(before.keys))
            #expect(Set(changes.removed) == Set(before.keys).subtracting(after.keys))
            #expect(Set(changes.changed) == (flip ? Set(after.keys).intersection(before.keys) : []))
            #expect(changes.added == changes.added.sorted() && changes.changed == changes.changed.sorted())
        }
    }

    @Test func boltMatchingIsReadFromItsLog() {
        let log = """
            BOLT-INFO: 17 out of 26 functions in the binary (65.4%) have non-empty execution profile
            BOLT-WARNING: 3 (17.6% of all profiled) functions have invalid (possibly stale) profile. Use -report-stale to see the list.
            BOLT-WARNING: 177306774 out of 874429260 samples in the binary (20.3%) belong to functions with invalid (possibly stale) profile.
            BOLT-INFO: inferred profile for 3 (17.65% of profiled, 100.00% of stale) functions responsible for 20.28% samples (177306774 out of 874429260)
            """
        let matching = BoltOutput.matching(log)
        #expect(matching.profiled == 17 && matching.stale == 3 && matching.inferred == 3)
        #expect(BoltOutput.matching("BOLT-INFO: 17 out of 26 functions in the binary (65.4%) have non-empty execution profile").stale == nil)
    }

    @Test func stalenessSummaryLine() {
        var staleness = Staleness(sources: .init(
            bundleCreated: "2026-11-30T10:00:00Z", bundleSha256: "s", bundleHost: nil, bundleToolchain: "clang 22", profileFormatVersion: 13,
            sameSources: true, filesChanged: [], filesAdded: [], filesRemoved: [], hotFunctions: 15, boltSelectedCandidate: nil))
        #expect(staleness.summaryLine == "profile from 2026-11-30")
        staleness.hotMatchedPercent = 93.3
        #expect(staleness.summaryLine == "profile from 2026-11-30, 93% of hot functions matched")
        staleness.sources.sameSources = false
        staleness.sources.filesChanged = ["a.c"]
        #expect(staleness.summaryLine == "profile from 2026-11-30, 93% of hot functions matched (1 file(s) changed, 0 added, 0 removed)")
    }

    @Test func toolchainIdentityLinesAreParsed() {
        let tools = BundleExporter.tools(fromIdentity: "cc=/usr/lib/llvm-22/bin/clang@22.1.8\nprofdata=/opt/a@b/llvm-profdata@22.1.8\nbroken")
        #expect(tools["cc"]?.path == "/usr/lib/llvm-22/bin/clang" && tools["cc"]?.version == "22.1.8")
        #expect(tools["profdata"]?.path == "/opt/a@b/llvm-profdata")
        #expect(tools["broken"] == nil)
    }

    @Test func bundleGraphReplacesTheTrainingStages() throws {
        var profile = try Fixtures.parse(Fixtures.minimalProfile)
        profile.bolt.enabled = true
        let bundle = PipelineComposer.BundleInput(path: "/b/demo.bundle", sha256: String(repeating: "a", count: 64))
        let graph = PipelineComposer.graph(for: profile, toolchain: Fixtures.toolchain, baseline: true, bolt: BoltPlanTests.bolt, bundle: bundle)
        #expect(graph.ids == [.bundleImport, .optimize, .boltBuild, .boltOptimize, .baseline])
        #expect(graph.profileData == .bundleImport)
        let optimize = try #require(graph.stages.first { $0.id == .optimize })
        #expect(optimize.consumes == [.bundleImport])
        // The import stage's fingerprint material is the bundle's digest, not its path.
        let importStage = graph.stages[0]
        let plan = try importStage.plan(PlanContext(workDir: WorkDir(root: "/w"), jobs: nil))
        #expect((plan as? ImportStage.Plan)?.bundleSHA256 == bundle.sha256)
        #expect(!plan.steps.contains { $0.command.arguments.contains { $0.contains("/b/demo.bundle") } })
    }

    @Test func launcherWrapsTheCompilersAndCcacheGetsStablePaths() throws {
        var profile = try Fixtures.parse(Fixtures.minimalProfile)
        profile.build.launcher = ["/usr/bin/ccache"]
        let stages = PipelineComposer.stages(for: profile, toolchain: Fixtures.toolchain, baseline: false)
        let workDir = WorkDir(root: "/w")
        var merge = StageRecord(fingerprint: "f", status: .completed, outcome: .executed, seconds: 1)
        merge.named[OutputName.profileData.rawValue] = "stages/merge/abc.profdata"
        let optimize = try #require(stages.first { $0.id == .optimize })
        let plan = try optimize.plan(PlanContext(workDir: workDir, jobs: nil, upstream: [.merge: merge]))
        let words = plan.steps.flatMap { [$0.command.executable] + $0.command.arguments }.joined(separator: " ")
        #expect(words.contains("/usr/bin/ccache \(Fixtures.toolchain.cc.path)"))
        #expect(words.contains("-fprofile-use=../../../cache/pgo/abc.profdata"))
        let environment = try #require(plan.steps.first?.command.environment)
        #expect(environment["CCACHE_BASEDIR"] == "/w" && environment["CCACHE_NOHASHDIR"] == "true")
        #expect(environment["CCACHE_STATSLOG"] == "/w/stages/optimize/ccache-stats.log")

        // Without a launcher: the compiler alone, and the profile copy's absolute path.
        profile.build.launcher = []
        let plain = try PipelineComposer.stages(for: profile, toolchain: Fixtures.toolchain, baseline: false)
            .first { $0.id == .optimize }!.plan(PlanContext(workDir: workDir, jobs: nil, upstream: [.merge: merge]))
        let plainWords = plain.steps.flatMap { $0.command.arguments }.joined(separator: " ")
        #expect(plainWords.contains("-fprofile-use=/w/cache/pgo/abc.profdata") && !plainWords.contains("ccache"))
        #expect(plain.steps.first?.command.environment["CCACHE_BASEDIR"] == nil)
        // Instrumented builds name a fixed default profile directory, never the work dir.
        let instrument = try PipelineComposer.stages(for: profile, toolchain: Fixtures.toolchain, baseline: false)[0]
            .plan(PlanContext(workDir: workDir, jobs: nil))
        let instrumentWords = instrument.steps.flatMap { $0.command.arguments }.joined(separator: " ")
        #expect(instrumentWords.contains("-fprofile-generate=\(BuildFlags.defaultProfileDirectory)"))
        #expect(instrumentWords.contains("-fdebug-prefix-map=/w/stages/instrument/build=."))
    }
}

extension BundleUnitTests {
    @Test func profileBundleLauncherAndThinLTOCacheAreParsed() throws {
        let profile = try Fixtures.parse(
            Fixtures.minimalProfile.replacingOccurrences(of: "artifacts = [\"bin/app\"]", with: "artifacts = [\"bin/app\"]\nlauncher = [\"ccache\"]")
                + "\n[optimize]\nthinlto_cache = \"../shared/thinlto\"\n[profile]\nbundle = \"bundles/app.bundle\"\n")
        #expect(profile.build.launcher == ["ccache"])
        #expect(profile.optimize.thinLTOCache == "/shared/thinlto")
        #expect(profile.bundle == "/p/bundles/app.bundle")
        #expect(try Fixtures.parse(Fixtures.minimalProfile).bundle == nil)
    }
}

extension BundleUnitTests {
    @Test func sourceListingsAreKeptByDigestAndPrunedWhenNoRecordNamesThem() throws {
        let workDir = WorkDir(root: try Fixtures.temporaryDirectory())
        let old = SourceSnapshot(digest: String(repeating: "a", count: 64), files: ["a.c": "1"])
        let new = SourceSnapshot(digest: String(repeating: "b", count: 64), files: ["a.c": "2"])
        try SourceListing.save(old, in: workDir)
        try SourceListing.save(new, in: workDir)
        #expect(SourceListing.load(old.digest, in: workDir) == old)
        #expect(SourceListing.load("../../etc/passwd", in: workDir) == nil)
        SourceListing.prune(keeping: [new.digest], in: workDir)
        #expect(SourceListing.load(old.digest, in: workDir) == nil)
        #expect(SourceListing.load(new.digest, in: workDir) == new)
    }
}
