import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// Profiles/cpython-3.13.toml (shared libpython, BOLT on both), checked as data without building
/// CPython: the stages, the shards against 3.13's own --pgo list, the library everywhere.
@Suite struct CPython313ProfileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path
    static let path = root + "/Profiles/cpython-3.13.toml"

    /// CPython 3.13's PGO_TESTS (Lib/test/libregrtest/pgo.py, 3.13.5).
    static let pgoTests: Set<String> = [
        "test_array", "test_base64", "test_binascii", "test_binop", "test_bisect", "test_bytes", "test_bz2", "test_cmath",
        "test_codecs", "test_collections", "test_complex", "test_dataclasses", "test_datetime", "test_decimal", "test_difflib",
        "test_float", "test_fstring", "test_functools", "test_generators", "test_hashlib", "test_heapq", "test_int",
        "test_itertools", "test_json", "test_long", "test_lzma", "test_math", "test_memoryview", "test_operator",
        "test_ordered_dict", "test_patma", "test_pickle", "test_pprint", "test_re", "test_set", "test_sqlite3", "test_statistics",
        "test_str", "test_struct", "test_tabnanny", "test_time", "test_xml_etree", "test_xml_etree_c",
    ]

    @Test func sharedLibraryIsBuiltTrainedAndBoltedEverywhere() throws {
        let profile = try ProfileParser.parse(String(contentsOfFile: Self.path, encoding: .utf8), file: Self.path)
        #expect(profile.name == "cpython-3.13" && profile.source.hasSuffix("/Profiles/sources/python3.13"))
        #expect(profile.build.artifactNames == ["python", "libpython3.13.so.1.0"])
        #expect(profile.boltArtifacts.map(\.name) == ["python", "libpython3.13.so.1.0"])
        let graph = PipelineComposer.graph(for: profile, toolchain: Fixtures.toolchain, baseline: false, bolt: BoltPlanTests.bolt)
        #expect(graph.ids == [.instrument, .train, .merge, .optimize, .boltBuild, .boltInstrument, .boltTrain, .boltMerge, .boltOptimize, .install])
        let workDir = WorkDir(root: "/w")
        func plan(_ id: StageID) throws -> any StagePlan {
            try graph.stages.first { $0.id == id }!.plan(PlanContext(workDir: workDir, jobs: 2))
        }

        // configure: shared, no temper flags (so it runs ahead); the flags go to make only.
        let instrument = try plan(.instrument)
        let configure = try Fixtures.command("configure", in: instrument)
        #expect(configure.arguments.contains("--enable-shared") && !configure.arguments.contains { $0.contains("fprofile") })
        #expect((graph.stages[0] as? BuildStage)?.configuresAhead.map(\.name) == ["optimize", "bolt-build"])
        for step in instrument.steps where step.label == "build" {
            #expect(step.command.environment["LD_LIBRARY_PATH"] == "/w/stages/instrument/build")
            #expect(step.command.arguments.contains { $0.hasPrefix("CFLAGS_NODIST=") && $0.contains("-fprofile-generate") })
        }

        // Training: 3.13's own --pgo list, each test once, in 4 shards that load the build's library.
        let train = try plan(.train).steps.map(\.command)
        #expect(train.count == 4)
        let tests = train.flatMap { $0.arguments.dropFirst(4) }
        #expect(tests.count == Self.pgoTests.count && Set(tests) == Self.pgoTests)
        for command in train {
            #expect(command.executable == "/w/stages/instrument/build/python")
            #expect(command.environment["LD_LIBRARY_PATH"] == "/w/stages/instrument/build")
        }

        // BOLT: both artifacts instrumented; every training task runs in its own mirror and
        // loads the mirror's (instrumented) library.
        let boltInstrument = try plan(.boltInstrument).steps.map(\.label)
        #expect(boltInstrument == ["instrument python", "instrument libpython3.13.so.1.0"])
        let boltTrain = try plan(.boltTrain).steps.filter { $0.label.hasPrefix("task ") }.map(\.command)
        for command in boltTrain {
            #expect(command.environment["LD_LIBRARY_PATH"] == command.workingDirectory)
            #expect(command.workingDirectory.hasPrefix("/w/stages/bolt-train/tree/"))
        }
        // Each candidate BOLTs both; verify and bench load each side's own library.
        let optimize = try plan(.boltOptimize)
        #expect(optimize.steps.filter { $0.label.hasPrefix("llvm-bolt libpython3.13.so.1.0") }.count == 2)
        #expect(try Fixtures.command("verify (pre-BOLT)", in: optimize).environment["LD_LIBRARY_PATH"] == "/w/stages/optimize/build")
        #expect(try Fixtures.command("verify [default]", in: optimize).environment["LD_LIBRARY_PATH"] == "/w/stages/bolt-optimize/tree")
        #expect(try Fixtures.command("measure [skip-dispatch]", in: optimize).environment["LD_LIBRARY_PATH"] == "/w/stages/bolt-optimize/tree-skip-dispatch")
        #expect((optimize as? BoltOptimizeStage.Plan)?.workload == "bench")

        // Install: a copy of the optimize tree, make install with the optimize build's flags,
        // the published python and libpython placed, the installed python checked.
        let install = try #require(try plan(.install) as? InstallStage.Plan)
        let optimizeFlags = try #require(try plan(.optimize).steps.last!.command.arguments.first { $0.hasPrefix("CFLAGS_NODIST=") })
        #expect(install.steps.map(\.label) == ["copy build", "install", "check", "check", "check", "check", "tarball", "debug tarball"])
        // Debug info split out as distributions ship it, with the toolchain's own llvm-objcopy;
        // the main tarball leaves it out.
        #expect(install.splitDebug == InstallStage.Plan.SplitDebug(objcopy: Fixtures.toolchain.directory + "/llvm-objcopy", debugDirectory: "usr/lib/debug"))
        #expect(install.tarball?.arguments.contains("--exclude=./usr/lib/debug") == true && install.debugTarball?.arguments.last == "./usr/lib/debug")
        // The checks run the installed python as a user would: no LD_LIBRARY_PATH, its RUNPATH
        // (set at configure time: make turns `\$$` into `$`) finds its libpython.
        let checks = install.steps.filter { $0.label == "check" }.map(\.command)
        for check in checks {
            #expect(check.executable == "env" && Array(check.arguments.prefix(3)) == ["-u", "LD_LIBRARY_PATH", "PYTHONDONTWRITEBYTECODE=1"])
        }
        #expect(checks[0].arguments[3] == "/w/stages/install/destdir/usr/local/bin/python3.13")
        // A venv from the installed python, then pip (offline) builds the C extension in it.
        #expect(Array(checks[1].arguments.suffix(4)) == ["/w/stages/install/destdir/usr/local/bin/python3.13", "-m", "venv", "/w/stages/install/tree/venv"])
        #expect(checks[2].arguments.contains("--no-index") && checks[2].arguments.last!.hasSuffix("/cpython/cext"))
        #expect(configure.arguments.contains("LDFLAGS=-Wl,-rpath,\\$$ORIGIN/../lib"))
        #expect(install.relocatable)
        // temper's own flags and the build directories come out of the installed text.
        let rewrite = install.rewrites.map { "\($0.from) -> \($0.to)" }.joined(separator: "\n")
        #expect(rewrite.contains(" \(optimizeFlags.dropFirst("CFLAGS_NODIST=".count)) -> \n"))
        #expect(rewrite.contains("/w/stages/optimize/build -> .") && rewrite.contains("/w/stages/install/tree -> ."))
        let make = try Fixtures.command("install", in: install)
        #expect(make.workingDirectory == "/w/stages/install/tree" && make.arguments.contains("DESTDIR=/w/stages/install/destdir"))
        #expect(make.arguments.contains(optimizeFlags))
        #expect(install.placements.contains { $0.artifact == "libpython3.13.so.1.0" && $0.relative == "usr/local/lib/libpython3.13.so.1.0" })
        #expect(graph.stages.last!.consumes == [.merge, .optimize, .boltOptimize])
    }
}
