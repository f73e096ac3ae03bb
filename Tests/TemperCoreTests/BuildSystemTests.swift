import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// `[build] system` presets: each build system gets temper's flags where it takes them without
/// tripping its own checks, the launcher wired its way, and a profile path valid from any
/// directory it compiles in.
@Suite struct BuildSystemTests {
    let workDir = WorkDir(root: "/w")

    func profile(_ system: String, _ extra: String = "") throws -> PipelineProfile {
        try Fixtures.parse(Fixtures.minimalProfile.replacingOccurrences(
            of: "build = [\"make\", \"-j{jobs}\", \"CC={cc}\", \"CFLAGS={cflags}\"]", with: "system = \"\(system)\"\n" + extra))
    }

    /// The optimize build's commands, with a merge record whose profile is `p.profdata`.
    func optimize(_ profile: PipelineProfile) throws -> [Command] {
        var record = StageRecord(fingerprint: "m", status: .completed, outcome: .executed, seconds: 1)
        record.outputs = ["stages/merge/p.profdata": "x"]
        record.named[output: .profileData] = "stages/merge/p.profdata"
        let stage = BuildStage(variant: .optimize, profileFrom: .merge, profile: profile, toolchain: Fixtures.toolchain)
        return try stage.plan(PlanContext(workDir: workDir, jobs: 2, upstream: [.merge: record])).steps.map(\.command)
    }

    @Test func cmakeTakesTheFlagsInABuildTypeOfItsOwnAndTheLauncherApart() throws {
        var parsed = try profile("cmake", "options = [\"-DBUILD_TESTING=OFF\"]\ntargets = [\"app\"]\nlauncher = [\"ccache\"]")
        #expect(parsed.build.system == .cmake && !parsed.build.exportFlags && parsed.build.cflags == ["-O2", "-gdwarf-4", "-DNDEBUG"])
        parsed.build.launcher = ["/usr/bin/ccache"]
        let commands = try optimize(parsed)
        let configure = commands[0].arguments
        #expect(commands[0].executable == "cmake" && configure.prefix(5) == ["-S", "/p/src", "-B", "/w/stages/optimize/build", "-DCMAKE_BUILD_TYPE=Temper"])
        // The compilers as bare paths (CMake refuses "ccache clang"), the launcher apart.
        #expect(configure.contains("-DCMAKE_C_COMPILER=/opt/llvm/bin/clang") && configure.contains("-DCMAKE_CXX_COMPILER_LAUNCHER=/usr/bin/ccache"))
        // The flags in CMAKE_<LANG>_FLAGS_TEMPER (try_compile ignores them); the profile path is
        // absolute even with ccache, valid in every directory CMake compiles in.
        let cflags = try #require(configure.first { $0.hasPrefix("-DCMAKE_C_FLAGS_TEMPER=") })
        #expect(cflags.contains("-fprofile-use=/w/cache/pgo/p.profdata") && cflags.hasPrefix("-DCMAKE_C_FLAGS_TEMPER=-O2 -gdwarf-4 -DNDEBUG"))
        #expect(configure.contains { $0.hasPrefix("-DCMAKE_EXE_LINKER_FLAGS_TEMPER=--ld-path=") } && configure.last == "-DBUILD_TESTING=OFF")
        #expect(!configure.contains { $0.hasPrefix("-DCMAKE_C_FLAGS=") } && commands[0].environment["CFLAGS"] == nil)
        #expect(commands[1].executable == "cmake" && commands[1].arguments == ["--build", "/w/stages/optimize/build", "-j", "2", "--target", "app"])
        // Without a launcher, an empty one: CMake then uses none.
        #expect(try optimize(profile("cmake"))[0].arguments.contains("-DCMAKE_C_COMPILER_LAUNCHER="))
    }

    @Test func mesonTakesArgsOptionsAndItsOwnPGOAndLTOStayOff() throws {
        var parsed = try profile("meson", "options = [\"-Ddefault_library=static\"]")
        parsed.build.launcher = ["/usr/bin/ccache"]
        let commands = try optimize(parsed)
        let setup = commands[0]
        #expect(setup.executable == "meson" && Array(setup.arguments.prefix(6)) == ["setup", "/w/stages/optimize/build", "/p/src", "--buildtype=plain", "-Db_pgo=off", "-Db_lto=false"])
        #expect(setup.arguments.contains { $0.hasPrefix("-Dc_args=-O2") && $0.contains("-fprofile-use=/w/cache/pgo/p.profdata") })
        #expect(setup.arguments.contains { $0.hasPrefix("-Dc_link_args=--ld-path=") } && setup.arguments.last == "-Ddefault_library=static")
        // Meson takes its compilers (launcher included, it splits them) from CC and CXX.
        #expect(setup.environment["CC"] == "/usr/bin/ccache /opt/llvm/bin/clang" && setup.environment["CFLAGS"] == nil)
        #expect(commands[1].executable == "meson" && commands[1].arguments == ["compile", "-C", "/w/stages/optimize/build", "-j", "2"])
        // The profile's own env wins over the preset's.
        #expect(try optimize(profile("meson", "env = { CC = \"my-cc\" }"))[0].environment["CC"] == "my-cc")
    }

    @Test func autotoolsGetsTheFlagsAtMakeTimeAndMakeBuildsACopy() throws {
        let autotools = try optimize(profile("autotools", "targets = [\"app\"]"))
        #expect(autotools[0].executable == "/p/src/configure" && autotools[0].arguments.first == "CC=/opt/llvm/bin/clang")
        #expect(!autotools[0].arguments.contains { $0.hasPrefix("CFLAGS=") })
        #expect(autotools[1].executable == "make" && autotools[1].arguments.contains { $0.hasPrefix("CFLAGS=-O2 -gdwarf-4 ") } && autotools[1].arguments.last == "app")
        let make = try optimize(profile("make", "cflags = [\"-O3\"]"))
        #expect(make[0].executable == "cp" && make[0].arguments == ["-a", "/p/src/.", "/w/stages/optimize/build"])
        #expect(make[1].arguments.contains { $0.hasPrefix("CFLAGS=-O3 ") } && make[1].arguments.contains("CC=/opt/llvm/bin/clang"))
    }

    @Test func aSystemAndExplicitCommandsDoNotMix() throws {
        #expect(throws: ProfileError.self) { try profile("cmake", "build = [\"make\"]") }
        #expect(throws: ProfileError.self) { try profile("cmake", "configure = [\"cmake\"]") }
        #expect(throws: ProfileError.self) { try profile("ninja") }
        let options = try #require(throws: ProfileError.self) {
            try Fixtures.parse(Fixtures.minimalProfile.replacingOccurrences(of: "artifacts = [\"bin/app\"]", with: "artifacts = [\"bin/app\"]\ntargets = [\"x\"]"))
        }
        #expect(options.description.contains("goes with `[build] system`"))
    }
}
