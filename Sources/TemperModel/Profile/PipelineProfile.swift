/// A pipeline profile (`Profiles/NAME.toml`, format v1): how to build, train and benchmark one
/// project. Paths are absolute once parsed; commands are argv arrays with placeholders.
public struct PipelineProfile: Sendable, Equatable {
    public static let formatVersion = 1

    public var name: String
    /// Absolute path of the profile file.
    public var file: String
    /// Absolute path of the project's source tree.
    public var source: String
    /// Names left out of the source digest (exact names, or `*.ext`), for files a build or a
    /// run writes into the source tree.
    public var sourceExclude: [String] = []
    public var toolchain: ToolchainSettings
    public var build: BuildSettings
    public var instrument: InstrumentSettings
    public var train: TrainSettings
    public var optimize: OptimizeSettings
    public var bench: BenchSettings?
    public var baseline: BaselineSettings
    public var bolt = BoltSettings()
    /// The check run on BOLTed artifacts; nil means the first training task.
    public var verify: TrainTask?
    /// `[install]`: install the optimized build into a tree of its own (the install stage).
    public var install: InstallSettings?
    /// A profile bundle that replaces the training stages (`[profile] bundle`, `--profile-bundle`).
    public var bundle: String?
    /// `[profile] decision`: a decision file (`temper tune`) every run applies, as `--decision` does.
    public var decision: String?
    /// `[tune]`: the matrix `temper tune` measures; nil: the default matrix.
    public var tune: TuneSettings?

    /// Tasks that train BOLT: `[bolt.train]` if given, else the PGO training tasks.
    public var boltTraining: TrainSettings { bolt.train ?? train }

    /// The verify command: `[verify]`, or the first BOLT training task.
    public var verifyTask: TrainTask { verify ?? boltTraining.tasks[0] }

    package init(name: String, file: String, source: String, sourceExclude: [String] = [], toolchain: ToolchainSettings, build: BuildSettings, instrument: InstrumentSettings, train: TrainSettings, optimize: OptimizeSettings, bench: BenchSettings? = nil, baseline: BaselineSettings, verify: TrainTask? = nil, install: InstallSettings? = nil, bundle: String? = nil) {
        self.name = name
        self.file = file
        self.source = source
        self.sourceExclude = sourceExclude
        self.toolchain = toolchain
        self.build = build
        self.instrument = instrument
        self.train = train
        self.optimize = optimize
        self.bench = bench
        self.baseline = baseline
        self.verify = verify
        self.install = install
        self.bundle = bundle
    }
}

/// `[bolt]`: post-link optimization of the optimized artifacts.
public struct BoltSettings: Sendable, Equatable {
    public var enabled = false
    /// How bolt-train profiles: BOLT's instrumentation (default), or `perf record -e cpu-clock`
    /// samples converted by perf2bolt without LBR (for binaries that cannot be instrumented).
    public var mode: BoltMode = .instrument
    /// Artifact file names to BOLT; nil means every artifact that is not a library.
    public var artifacts: [String]?
    /// Replaces temper's default optimization flags for the installed BOLT major.
    public var flags: [String]?
    /// Added to the default (or replaced) flags.
    public var extraFlags: [String] = []
    /// Keep BOLT's input build position-independent. On unless `acceptNonPIE`: what ships is
    /// never less hardened than a plain build, though in a PIE BOLT skips every function whose
    /// jump tables were hoisted out of a loop (it says so only under -v=1).
    public var pie = true
    /// Accept a BOLTed artifact without PIE when the plain build is a PIE (`accept_non_pie`):
    /// BOLT's input is then built `-no-pie` by default, and the report says so on the artifact.
    public var acceptNonPIE = false
    /// Build the plain optimize build beside BOLT's input, to ship when BOLT is not kept. Not a
    /// profile key: off only in tune's BOLT pipelines, which measure against their own reference.
    public var plainBuild = true
    /// `[bolt.train]`: tasks for BOLT training; the PGO tasks when absent.
    public var train: TrainSettings?
    /// Whether verification compares output ("output") or only the exit status ("status"),
    /// for programs that print timings.
    public var compare: VerifyComparison = .output
    /// The older name of `selectionRuns`; still read, and its default.
    public var timingRuns = 5
    /// Measured rounds (after one warmup round) in which the pre-BOLT build and every verified
    /// candidate each run the selection workload once, in shuffled order.
    public var selectionRuns: Int?
    /// Publish the fastest candidate only when it beats pre-BOLT with 95% confidence
    /// ("fastest"), or the fastest verified candidate whatever the measurement says ("always").
    public var select: BoltSelect = .fastest
    /// Also count each side's executed instructions with callgrind (when valgrind is installed).
    public var selectionInstructions = true
    /// The workload callgrind counts: "verify" (default; usually the shorter) or "bench".
    public var instructionsWorkload: SelectionWorkload = .verify
    /// `[bolt.candidates]`: more flag sets to try, by name (each replaces the default flags;
    /// `extra_flags` are added to every candidate).
    public var candidates: [BoltFlagSet] = []
    /// Try a candidate that leaves the dispatch functions (the most indirect-branch traffic in
    /// the profile) alone, as CPython's --enable-bolt does by hand.
    public var dispatchCandidate = true
    /// With `select = "pinned"`: the name of the one flag set a decision file pinned (its
    /// flags are `flags`). Set by `temper run --decision`, not read from the profile.
    public var pinnedName: String?

    public var rounds: Int { selectionRuns ?? timingRuns }

    package init(mode: BoltMode = .instrument, artifacts: [String]? = nil, flags: [String]? = nil, extraFlags: [String] = [], train: TrainSettings? = nil, compare: VerifyComparison = .output, selectionRuns: Int? = nil, select: BoltSelect = .fastest, instructionsWorkload: SelectionWorkload = .verify, candidates: [BoltFlagSet] = []) {
        self.mode = mode
        self.artifacts = artifacts
        self.flags = flags
        self.extraFlags = extraFlags
        self.train = train
        self.compare = compare
        self.selectionRuns = selectionRuns
        self.select = select
        self.instructionsWorkload = instructionsWorkload
        self.candidates = candidates
    }
}

/// A named set of BOLT flags from `[bolt.candidates]`.
public struct BoltFlagSet: Sendable, Equatable {
    public var name: String
    public var flags: [String]

    /// The names of temper's own candidates: LLVM's default set, and the one that skips the
    /// dispatch functions; and the selection's own side, the build without BOLT. A candidate
    /// named like one of them would share its files (logs, timings) and its rows.
    public static let defaultName = "default"
    public static let dispatchName = "skip-dispatch"
    public static let preBoltName = "pre-BOLT"
    public static let reservedNames: Set<String> = [defaultName, dispatchName, preBoltName]

    /// Whether a user's name is one of temper's own, in any case (file names differing only
    /// in case are one file to people, and on some file systems).
    public static func isReserved(_ name: String) -> Bool { reservedNames.contains { $0.lowercased() == name.lowercased() } }

    package init(name: String, flags: [String]) {
        self.name = name
        self.flags = flags
    }
}

public enum SelectionWorkload: String, Codable, Sendable, Equatable, CaseIterable {
    case verify, bench
}

public enum BoltSelect: String, Codable, Sendable, Equatable, CaseIterable {
    /// Publish the fastest candidate only when it beats pre-BOLT with 95% confidence; always;
    /// the one candidate a decision file pinned, measuring nothing (`temper run --decision`);
    /// or none, measuring nothing (`temper tune` builds and verifies, then measures itself).
    case fastest, always, pinned, none

    /// Whether bolt-optimize measures the candidates.
    public var measures: Bool { self == .fastest || self == .always }
}

public enum BoltMode: String, Codable, Sendable, Equatable, CaseIterable {
    case instrument, sample
}

public enum VerifyComparison: String, Codable, Sendable, Equatable, CaseIterable {
    case output, status
}

extension PipelineProfile {
    /// The artifacts BOLT works on, as (path relative to the build dir, file name).
    public var boltArtifacts: [(path: String, name: String)] {
        let all = Array(zip(build.artifacts, build.artifactNames))
        if let chosen = bolt.artifacts { return all.filter { chosen.contains($0.1) } }
        return all.filter { !$0.1.hasSuffix(".a") && !$0.1.contains(".so") }
    }
}

public enum CompilerFamily: String, Codable, Sendable, Equatable, CaseIterable {
    case clang, gcc
}

public struct ToolchainSettings: Sendable, Equatable {
    public var compiler: CompilerFamily = .clang
    /// A directory holding one LLVM's tools; relative paths are resolved against the profile.
    public var llvmBin: String?

    package init(compiler: CompilerFamily = .clang, llvmBin: String? = nil) {
        self.compiler = compiler
        self.llvmBin = llvmBin
    }
}

public struct BuildSettings: Sendable, Equatable {
    /// The build-system preset that wrote `configure` and `build` (`[build] system`), if any.
    public var system: BuildSystem?
    /// Commands run once in a fresh build directory before `build` (e.g. a configure script).
    public var configure: [[String]] = []
    public var build: [[String]] = []
    /// Paths relative to the build directory; `{artifact:NAME}` names them by file name.
    public var artifacts: [String] = []
    public var env: [String: String] = [:]
    public var cflags: [String] = ["-O2"]
    public var cxxflags: [String]?
    public var ldflags: [String] = []
    /// Also export CC, CXX, AR, RANLIB, CFLAGS, CXXFLAGS, LDFLAGS to the build. Off for projects
    /// whose configure bakes environment flags into installed files (CPython's sysconfig), which
    /// take the flags through placeholders only (e.g. CFLAGS_NODIST={cflags}).
    public var exportFlags = true
    /// Let later builds run their configure during the instrumented build, in their own build
    /// directories. Off for a configure that writes outside its build directory.
    public var configureAhead = true
    /// A compiler launcher (e.g. `["ccache"]`) that wraps the compilers of every build stage:
    /// `{cc}` and `CC` become the launcher's words followed by the compiler.
    public var launcher: [String] = []

    public var artifactNames: [String] { artifacts.map { String($0.split(separator: "/").last ?? "") } }

    package init(configure: [[String]] = [], build: [[String]] = [], artifacts: [String] = [], env: [String: String] = [:], cflags: [String] = ["-O2"], cxxflags: [String]? = nil, ldflags: [String] = [], launcher: [String] = []) {
        self.configure = configure
        self.build = build
        self.artifacts = artifacts
        self.env = env
        self.cflags = cflags
        self.cxxflags = cxxflags
        self.ldflags = ldflags
        self.launcher = launcher
    }
}

public enum LTOMode: String, Codable, Sendable, Equatable, CaseIterable {
    case thin, full, none
}

public enum PGOMode: String, Codable, Sendable, Equatable, CaseIterable {
    /// LLVM IR-level instrumentation (`-fprofile-generate`), the better default.
    case ir
    /// Clang front-end instrumentation (`-fprofile-instr-generate`).
    case frontend
    /// Context-sensitive IR PGO on top of IR PGO (clang): a second instrumented build that
    /// uses the IR profile and records context-sensitive counts after inlining
    /// (`-fcs-profile-generate`), trained again, merged with the IR profile.
    case csir = "cs-ir"

    /// IR-level (IR or CS-IR): the instrumented and optimized builds take IR flags.
    public var isIR: Bool { self != .frontend }
    /// The instrumentation level `llvm-profdata show` reports for such a profile.
    public var profileLevel: PGOMode { self == .frontend ? .frontend : .ir }
}

public struct InstrumentSettings: Sendable, Equatable {
    /// LTO in the instrumented build: off by default, the profile is the same and the link cheaper.
    public var lto: LTOMode = .none
    /// Extra compiler flags for the instrumented build only, after the base flags (e.g. `-g0`:
    /// that build is thrown away after training, so its debug info is wasted compile time).
    public var cflags: [String] = []

    package init(lto: LTOMode = .none, cflags: [String] = []) {
        self.lto = lto
        self.cflags = cflags
    }
}

public enum FailurePolicy: String, Codable, Sendable, Equatable, CaseIterable {
    case fail, warn
}

public struct TrainTask: Sendable, Equatable {
    public var name: String
    public var run: [String]
    /// Working directory, relative to the instrumented build directory unless absolute.
    public var cwd: String?
    public var env: [String: String] = [:]
    /// Seconds before the task's process group is stopped.
    public var timeout: Double?

    package init(name: String, run: [String], cwd: String? = nil, env: [String: String] = [:], timeout: Double? = nil) {
        self.name = name
        self.run = run
        self.cwd = cwd
        self.env = env
        self.timeout = timeout
    }
}

public struct TrainSettings: Sendable, Equatable {
    public var jobs: Int = 1
    public var onFailure: FailurePolicy = .fail
    public var tasks: [TrainTask] = []
    /// After an edit, the last training's profile is applied to the new sources (as a bundle
    /// would be); below this percentage of hot functions matched, the run retrains instead.
    public var retrainBelow: Double = 90

    package init(jobs: Int = 1, onFailure: FailurePolicy = .fail, tasks: [TrainTask] = []) {
        self.jobs = jobs
        self.onFailure = onFailure
        self.tasks = tasks
    }
}

public struct OptimizeSettings: Sendable, Equatable {
    public var pgo: PGOMode = .ir
    public var lto: LTOMode = .thin
    public var missingProfile: MissingProfilePolicy = .warn
    /// The ThinLTO cache's directory, instead of one in the work dir: work dirs (or machines,
    /// on a shared file system) that share it reuse each other's ThinLTO backend compiles,
    /// which a compiler launcher like ccache does not cache (they run at link time).
    public var thinLTOCache: String?

    public init(pgo: PGOMode = .ir, lto: LTOMode = .thin, missingProfile: MissingProfilePolicy = .warn) {
        self.pgo = pgo
        self.lto = lto
        self.missingProfile = missingProfile
    }
}

/// What the optimized build does with code the profile does not cover (functions or files
/// without data, stale data): count it as warnings in the report, or fail the build.
public enum MissingProfilePolicy: String, Codable, Sendable, Equatable, CaseIterable {
    case warn, error
}

public struct BenchSettings: Sendable, Equatable {
    public var run: [String]
    public var cwd: String?
    public var env: [String: String] = [:]

    package init(run: [String], cwd: String? = nil, env: [String: String] = [:]) {
        self.run = run
        self.cwd = cwd
        self.env = env
    }
}

public struct BaselineSettings: Sendable, Equatable {
    public var enabled = false

    package init() {

    }
}

/// How the optimized build is installed: commands run in a copy of the optimize build tree with
/// `{destdir}` (and the optimize build's placeholders, so make redoes nothing with other flags),
/// then the published artifacts (BOLTed when BOLT was kept) replace the installed ones.
public struct InstallSettings: Sendable, Equatable {
    public var run: [[String]] = []
    /// Artifact file name to its path in the installed tree (relative to `{destdir}`).
    public var artifacts: [String: String] = [:]
    /// Commands that must exit 0 on the installed tree (e.g. run the installed program).
    public var check: [[String]] = []
    /// Also write `out/install.tar.gz`.
    public var tarball = false
    /// Fail the stage when an installed file still names the work dir (after temper has
    /// removed its own flags and build paths from the installed text files).
    public var relocatable = false
    /// Move debug info out of the installed ELF files into `usr/lib/debug/.build-id/xx/yyyy.debug`
    /// (a `.gnu_debuglink` names it), as distributions ship a -dbg package beside the program.
    public var splitDebug = false

    package init(run: [[String]] = [], artifacts: [String: String] = [:], check: [[String]] = []) {
        self.run = run
        self.artifacts = artifacts
        self.check = check
    }
}
