import TemperModel
import TemperSystem
import TemperExecution
/// Which build of the project a build stage makes.
public enum BuildVariant: String, Sendable, CaseIterable {
    /// `csInstrument`: CS-IRPGO's second instrumented build, using the IR profile.
    /// `boltBuild`: the optimize build made ready for BOLT (static relocations, maybe non-PIE).
    case instrument, optimize, baseline
    case csInstrument = "cs-instrument"
    case boltBuild = "bolt-build"

    /// Builds whose binaries carry profile instrumentation.
    public var isInstrumented: Bool { self == .instrument || self == .csInstrument }
    /// Builds that apply the merged profile and ship (or are BOLTed): optimize and bolt-build.
    public var isOptimized: Bool { self == .optimize || self == .boltBuild }
}

/// Flags temper adds to the profile's own, for one build variant.
public struct InjectedFlags: Sendable, Equatable {
    public var cflags: [String] = []
    public var ldflags: [String] = []

    public init(cflags: [String] = [], ldflags: [String] = []) {
        self.cflags = cflags
        self.ldflags = ldflags
    }
}

/// Which flags temper adds to each build, by compiler family: policy (PGO, LTO, what BOLT
/// needs), kept out of the toolchain layer, which only knows what the tools are.
public enum BuildFlags {
    /// The flags for a variant, by compiler family.
    ///
    /// clang: IR PGO names `static` functions after the source path as spelled on the command
    /// line; `-static-func-full-module-prefix=false` keys them by file name in both builds, so a
    /// different build directory or spelling cannot silently drop them.
    ///
    /// gcc: `-fprofile-use` without a directory reads each object's `.gcda` next to the object,
    /// where the optimize stage places the merged profiles; `-fprofile-update=atomic` keeps
    /// counters exact when tasks run in parallel.
    ///
    /// Every build maps its build directory to `.` in debug info: an installed tree must not
    /// name the work dir it was built in, and the instrumented binary (whose build ID enters
    /// the profile) comes out the same in every work dir.
    /// Where an instrumented binary writes its profile when LLVM_PROFILE_FILE is unset: only a
    /// child that clears its environment (temper sets it for every process it starts).
    public static let defaultProfileDirectory = "/tmp/temper-unused-profile-dir"

    public static func injected(
        for variant: BuildVariant, toolchain: Toolchain, settings profile: PipelineProfile, profileData: String?, thinLTOCache: String?,
        buildDirectory: String? = nil
    ) -> InjectedFlags {
        var flags = InjectedFlags()
        let lto: LTOMode
        switch variant {
        case .instrument: lto = profile.instrument.lto
        // Context-sensitive counts are taken after inlining, in LTO's backend: as the optimize build.
        case .optimize, .boltBuild, .csInstrument: lto = profile.optimize.lto
        case .baseline: lto = .none
        }
        let strict = profile.optimize.missingProfile == .error
        switch toolchain.family {
        case .clang:
            let pgo = profile.optimize.pgo
            flags.ldflags = ["--ld-path=\(toolchain.linker.path)"]
            let stableNames = ["-mllvm", "-static-func-full-module-prefix=false"]
            switch variant {
            case .instrument:
                // A fixed absolute default location (temper sets LLVM_PROFILE_FILE for every
                // process it starts); without one, a compile cache (ccache) hashes the working
                // directory into every instrumented object and no two work dirs share them.
                let generate = pgo.isIR ? "-fprofile-generate=\(defaultProfileDirectory)" : "-fprofile-instr-generate=\(defaultProfileDirectory)/default_%m.profraw"
                flags.cflags = [generate] + (pgo.isIR ? stableNames : [])
                flags.ldflags.append(generate)
            case .csInstrument:
                // The IR profile applied, context-sensitive counters added; both at the link too,
                // where ThinLTO's backend (lld's --lto-cs-profile-generate) instruments.
                let data = profileData ?? "{profdata}"
                let generate = "-fcs-profile-generate=\(defaultProfileDirectory)"
                flags.cflags = ["-fprofile-use=\(data)", generate] + stableNames
                flags.ldflags += ["-fprofile-use=\(data)", generate]
            case .optimize, .boltBuild:
                let data = profileData ?? "{profdata}"
                let warnings = ["backend-plugin", "profile-instr-out-of-date", "profile-instr-unprofiled"]
                flags.cflags = [pgo.isIR ? "-fprofile-use=\(data)" : "-fprofile-instr-use=\(data)"]
                    + (pgo.isIR ? stableNames : [])
                    + warnings.map { "-W\($0)" } + warnings.map { strict ? "-Werror=\($0)" : "-Wno-error=\($0)" }
                    + ["-mllvm", "-pgo-warn-missing-function"]
                if pgo == .csir {
                    // The context-sensitive part applies in LTO's backend: the link reads it.
                    flags.ldflags.append("-fprofile-use=\(data)")
                }
            case .baseline:
                break
            }
            if lto != .none {
                flags.cflags.append("-flto=\(lto.rawValue)")
                flags.ldflags.append("-flto=\(lto.rawValue)")
                if lto == .thin, let thinLTOCache {
                    flags.ldflags.append("-Wl,--thinlto-cache-dir=\(thinLTOCache)")
                }
            }
        case .gcc:
            switch variant {
            case .instrument, .csInstrument:
                flags.cflags = ["-fprofile-generate"] + (profile.train.jobs > 1 ? ["-fprofile-update=atomic"] : [])
                flags.ldflags = ["-fprofile-generate"]
            case .optimize, .boltBuild:
                flags.cflags = ["-fprofile-use", "-Wmissing-profile"]
                    + (strict ? ["-Werror=missing-profile", "-Werror=coverage-mismatch"] : ["-Wno-error=coverage-mismatch"])
            case .baseline:
                break
            }
            if lto != .none {
                // GCC has one LTO mode; -flto=auto runs its LTRANS jobs in parallel.
                flags.cflags.append("-flto=auto")
                flags.ldflags.append("-flto=auto")
            }
        }
        if let buildDirectory {
            flags.cflags.append("-fdebug-prefix-map=\(buildDirectory)=.")
        }
        if variant == .boltBuild {
            // BOLT's input: static relocations, and (when the profile accepts a non-PIE result) a
            // fixed-address executable, because in a PIE BOLT skips functions whose jump tables
            // were hoisted out of loops. Only this build gets them: optimize and baseline stay
            // the toolchain's ordinary build, which is what ships when BOLT is not kept.
            if !profile.bolt.pie {
                // -no-pie in cflags too: build-host tools are often compiled and linked with
                // CFLAGS alone (SQLite's lemon), and -fno-pie objects cannot link as a PIE. It is a
                // link-only flag; with clang it is marked as possibly unused below.
                flags.cflags += ["-fno-pie", "-no-pie"]
                flags.ldflags.append("-no-pie")
            }
            flags.ldflags.append("-Wl,--emit-relocs")
            // GCC's hot/cold partitioning splits functions in a way BOLT cannot undo.
            if toolchain.family == .gcc { flags.cflags.append("-fno-reorder-blocks-and-partition") }
        }
        if toolchain.family == .clang, !flags.cflags.isEmpty {
            // Build systems pass CFLAGS to compile-only calls and to links alike. Some of temper's
            // flags are unused in one of them (-no-pie when compiling, -mllvm and -fdebug-prefix-map
            // when linking objects), and clang's warning about that fails a project's -Werror
            // (found by FlagProbe). Marked as possibly unused, they warn nowhere.
            flags.cflags = ["--start-no-unused-arguments"] + flags.cflags + ["--end-no-unused-arguments"]
        }
        return flags
    }
}
