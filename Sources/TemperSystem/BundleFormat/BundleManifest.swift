import TemperModel
import Foundation

/// What a profile bundle says about itself (`manifest.json`, versioned): enough to decide,
/// on another machine, whether to trust the profile and how stale it is.
public struct BundleManifest: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public static let fileName = "manifest.json"
    public static let profileFile = "profile.profdata"

    public struct ToolchainIdentity: Codable, Sendable, Equatable {
        /// The compiler that compiled the instrumented build, e.g. "clang".
        public var compiler: String
        public var compilerPath: String
        public var compilerVersion: String
        public var llvmMajor: Int
        /// The indexed profile format version, as `llvm-profdata show --profile-version` reports it.
        public var profileFormatVersion: Int

        enum CodingKeys: String, CodingKey {
            case compiler, compilerPath = "compiler_path", compilerVersion = "compiler_version", llvmMajor = "llvm_major"
            case profileFormatVersion = "profile_format_version"
        }

        package init(compiler: String, compilerPath: String, compilerVersion: String, llvmMajor: Int, profileFormatVersion: Int) {
            self.compiler = compiler
            self.compilerPath = compilerPath
            self.compilerVersion = compilerVersion
            self.llvmMajor = llvmMajor
            self.profileFormatVersion = profileFormatVersion
        }
    }

    public struct Sources: Codable, Sendable, Equatable {
        /// temper's source digest (the fingerprints' "source" input).
        public var digest: String
        /// Relative path to SHA-256 (or `symlink:TARGET`).
        public var files: [String: String]

        package init(digest: String, files: [String: String]) {
            self.digest = digest
            self.files = files
        }
    }

    public struct TrainingTask: Codable, Sendable, Equatable {
        public var stage: String
        public var name: String
        public var command: String
        public var fingerprint: String

        package init(stage: String, name: String, command: String, fingerprint: String) {
            self.stage = stage
            self.name = name
            self.command = command
            self.fingerprint = fingerprint
        }
    }

    public struct Profile: Codable, Sendable, Equatable {
        public var file: String
        public var sha256: String
        public var functions: Int
        public var totalCount: Int?
        /// Functions the training executed (a non-zero count).
        public var functionsExecuted: Int?

        enum CodingKeys: String, CodingKey {
            case file, sha256, functions, totalCount = "total_count", functionsExecuted = "functions_executed"
        }

        package init(file: String, sha256: String, functions: Int, totalCount: Int? = nil, functionsExecuted: Int? = nil) {
            self.file = file
            self.sha256 = sha256
            self.functions = functions
            self.totalCount = totalCount
            self.functionsExecuted = functionsExecuted
        }
    }

    public struct BoltProfile: Codable, Sendable, Equatable {
        public var artifact: String
        /// merge-fdata's output, the profile bolt-optimize reads.
        public var fdata: String
        public var fdataSha256: String
        /// The same profile in BOLT's YAML form, with block hashes: what `-infer-stale-profile`
        /// needs to match a profile to a binary that changed.
        public var yaml: String?
        /// The dispatch functions found in the profile (bolt-optimize's skip-dispatch candidate).
        public var dispatch: String?
        /// SHA-256 of the pre-BOLT binary the profile was recorded on.
        public var binarySha256: String?
        /// SHA-256 of the YAML and dispatch files, checked when the bundle is read (absent in
        /// bundles from a temper before them).
        public var yamlSha256: String?
        public var dispatchSha256: String?

        enum CodingKeys: String, CodingKey {
            case artifact, fdata, fdataSha256 = "fdata_sha256", yaml, dispatch, binarySha256 = "binary_sha256"
            case yamlSha256 = "yaml_sha256", dispatchSha256 = "dispatch_sha256"
        }

        package init(artifact: String, fdata: String, fdataSha256: String, yaml: String? = nil, dispatch: String? = nil, binarySha256: String? = nil) {
            self.artifact = artifact
            self.fdata = fdata
            self.fdataSha256 = fdataSha256
            self.yaml = yaml
            self.dispatch = dispatch
            self.binarySha256 = binarySha256
        }
    }

    public struct Bolt: Codable, Sendable, Equatable {
        public var profiles: [BoltProfile]
        /// The candidate the BOLT selection kept, or nil when it kept none (or none ran).
        public var selectedCandidate: String?
        public var selectionReason: String?

        enum CodingKeys: String, CodingKey {
            case profiles, selectedCandidate = "selected_candidate", selectionReason = "selection_reason"
        }

        package init(profiles: [BoltProfile], selectedCandidate: String? = nil, selectionReason: String? = nil) {
            self.profiles = profiles
            self.selectedCandidate = selectedCandidate
            self.selectionReason = selectionReason
        }
    }

    /// One bundle that went into a merged bundle.
    public struct Part: Codable, Sendable, Equatable {
        public var sha256: String
        public var weight: Int
        public var created: String
        public var host: String?
        public var sourceDigest: String
        public var tasks: [String]

        enum CodingKeys: String, CodingKey {
            case sha256, weight, created, host, sourceDigest = "source_digest", tasks
        }

        package init(sha256: String, weight: Int, created: String, host: String? = nil, sourceDigest: String, tasks: [String]) {
            self.sha256 = sha256
            self.weight = weight
            self.created = created
            self.host = host
            self.sourceDigest = sourceDigest
            self.tasks = tasks
        }
    }

    public var format = "temper-bundle"
    public var version = BundleManifest.currentVersion
    public var temperVersion: String
    /// The pipeline profile's name.
    public var profileName: String
    /// ISO 8601, UTC. A merged bundle takes its newest part's, so merging is deterministic.
    public var created: String
    public var host: String?
    public var toolchain: ToolchainIdentity
    public var sources: Sources
    public var training: [TrainingTask]
    public var profile: Profile
    public var bolt: Bolt?
    public var parts: [Part]?
    /// The decision file (`temper tune`) the exported build applied, when one did: a run from
    /// this bundle applies it too, so it publishes the same configuration.
    public var decision: String?
    public static let decisionFile = "decision.json"

    enum CodingKeys: String, CodingKey {
        case format, version, temperVersion = "temper_version", profileName = "profile_name", created, host, toolchain, sources
        case training, profile, bolt, parts, decision
    }

    /// The names every file entry must use, checked when a bundle is read.
    var entryNames: [String] {
        [profile.file] + (bolt?.profiles.flatMap { [$0.fdata, $0.yaml, $0.dispatch].compactMap { $0 } } ?? []) + [decision].compactMap { $0 }
    }

    package init(temperVersion: String, profileName: String, created: String, host: String? = nil, toolchain: ToolchainIdentity, sources: Sources, training: [TrainingTask], profile: Profile, bolt: Bolt? = nil, parts: [Part]? = nil) {
        self.temperVersion = temperVersion
        self.profileName = profileName
        self.created = created
        self.host = host
        self.toolchain = toolchain
        self.sources = sources
        self.training = training
        self.profile = profile
        self.bolt = bolt
        self.parts = parts
    }
}
