/// How well a profile from a bundle fits the sources and binary it is applied to: the report's
/// `staleness` section. A bundle made from other sources still builds (distributions reuse a
/// profile for the next patch release); this says what that cost.
public struct Staleness: Codable, Sendable, Equatable {
    /// What the import stage finds by comparing the bundle's source listing with the tree.
    public struct Sources: Codable, Sendable, Equatable {
        public var bundleCreated: String
        public var bundleSha256: String
        public var bundleHost: String?
        public var bundleToolchain: String
        public var profileFormatVersion: Int
        public var sameSources: Bool
        public var filesChanged: [String]
        public var filesAdded: [String]
        public var filesRemoved: [String]
        /// Functions with a non-zero count in the bundle's profile.
        public var hotFunctions: Int
        public var boltSelectedCandidate: String?

        enum CodingKeys: String, CodingKey {
            case bundleCreated = "bundle_created", bundleSha256 = "bundle_sha256", bundleHost = "bundle_host", bundleToolchain = "bundle_toolchain"
            case profileFormatVersion = "profile_format_version", sameSources = "same_sources", filesChanged = "files_changed"
            case filesAdded = "files_added", filesRemoved = "files_removed", hotFunctions = "hot_functions"
            case boltSelectedCandidate = "bolt_selected_candidate"
        }

        package init(bundleCreated: String, bundleSha256: String, bundleHost: String? = nil, bundleToolchain: String, profileFormatVersion: Int, sameSources: Bool, filesChanged: [String], filesAdded: [String], filesRemoved: [String], hotFunctions: Int, boltSelectedCandidate: String? = nil) {
            self.bundleCreated = bundleCreated
            self.bundleSha256 = bundleSha256
            self.bundleHost = bundleHost
            self.bundleToolchain = bundleToolchain
            self.profileFormatVersion = profileFormatVersion
            self.sameSources = sameSources
            self.filesChanged = filesChanged
            self.filesAdded = filesAdded
            self.filesRemoved = filesRemoved
            self.hotFunctions = hotFunctions
            self.boltSelectedCandidate = boltSelectedCandidate
        }
    }

    /// BOLT's matching of one artifact's profile to the binary it optimizes.
    public struct BoltMatch: Codable, Sendable, Equatable {
        public var artifact: String
        /// Whether the binary differs from the one the profile was recorded on (then the YAML
        /// profile and `-infer-stale-profile` were used); nil when the bundle does not say which
        /// binary that was (a merge of parts recorded on different binaries).
        public var binaryChanged: Bool?
        public var inferStaleProfile: Bool
        public var functionsWithProfile: Int?
        public var functionsStale: Int?
        public var functionsInferred: Int?

        enum CodingKeys: String, CodingKey {
            case artifact, binaryChanged = "binary_changed", inferStaleProfile = "infer_stale_profile"
            case functionsWithProfile = "functions_with_profile", functionsStale = "functions_stale", functionsInferred = "functions_inferred"
        }

        package init(artifact: String, binaryChanged: Bool? = nil, inferStaleProfile: Bool, functionsWithProfile: Int? = nil, functionsStale: Int? = nil, functionsInferred: Int? = nil) {
            self.artifact = artifact
            self.binaryChanged = binaryChanged
            self.inferStaleProfile = inferStaleProfile
            self.functionsWithProfile = functionsWithProfile
            self.functionsStale = functionsStale
            self.functionsInferred = functionsInferred
        }
    }

    public var sources: Sources
    /// Profile functions the compiler applied: the profile's functions less the hash mismatches
    /// (a function deleted from the sources is not seen by the compiler, so it counts here).
    public var functionsApplied: Int?
    public var functionsHashMismatch: Int?
    /// Functions compiled with no record in the profile (new functions, new files).
    public var functionsNoData: Int?
    public var hashMismatchNames: [String]?
    public var noDataNames: [String]?
    public var hotFunctionsMatched: Int?
    /// Share of the bundle's hot functions that matched, in percent.
    public var hotMatchedPercent: Double?
    public var bolt: [BoltMatch]?

    public init(sources: Sources) {
        self.sources = sources
    }

    enum CodingKeys: String, CodingKey {
        case sources, bolt
        case functionsApplied = "functions_applied", functionsHashMismatch = "functions_hash_mismatch", functionsNoData = "functions_no_data"
        case hashMismatchNames = "hash_mismatch_names", noDataNames = "no_data_names", hotFunctionsMatched = "hot_functions_matched"
        case hotMatchedPercent = "hot_matched_percent"
    }

    /// The run's last line: "profile from DATE, N% of hot functions matched".
    public var summaryLine: String {
        let date = String(sources.bundleCreated.prefix(10))
        guard let percent = hotMatchedPercent else { return "profile from \(date)" }
        var line = "profile from \(date), \(Int(percent.rounded(.down)))% of hot functions matched"
        if !sources.sameSources {
            line += " (\(sources.filesChanged.count) file(s) changed, \(sources.filesAdded.count) added, \(sources.filesRemoved.count) removed)"
        }
        return line
    }
}

/// The functions the compiler named in its profile warnings, by kind.
public struct ProfileMismatches: Codable, Sendable, Equatable {
    public var hashMismatch: [String] = []
    public var noData: [String] = []

    enum CodingKeys: String, CodingKey {
        case hashMismatch = "hash_mismatch", noData = "no_data"
    }

    public init(hashMismatch: [String] = [], noData: [String] = []) {
        self.hashMismatch = hashMismatch
        self.noData = noData
    }

    /// clang (IR PGO, -Wbackend-plugin): "function control flow change detected (hash mismatch)
    /// NAME Hash = ..." and "no profile data available for function NAME Hash = ...".
    public static func parse(_ text: String) -> ProfileMismatches {
        var result = ProfileMismatches()
        var seen: Set<String> = []
        for line in text.split(separator: "\n") where line.contains("warning: ") {
            for (marker, isMismatch) in [("(hash mismatch) ", true), ("no profile data available for function ", false)] {
                guard let range = line.range(of: marker) else { continue }
                let rest = line[range.upperBound...]
                let name = String(rest.split(separator: " ").first ?? "")
                guard !name.isEmpty, seen.insert((isMismatch ? "m:" : "n:") + name).inserted else { continue }
                if isMismatch { result.hashMismatch.append(name) } else { result.noData.append(name) }
            }
        }
        result.hashMismatch.sort()
        result.noData.sort()
        return result
    }
}
