import Foundation
import Testing

/// The corpus of broken profiles (BrokenProfiles/*.toml): each file says, in its first lines,
/// the exit status and a part of the message it must produce. Every one goes through the real
/// `temper plan` and `temper run` in a directory of its own: none may crash or hang, each must
/// name the file, and nothing may be created or deleted (no work dir, no lock).
@Suite struct BrokenProfileTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("BrokenProfiles").path

    struct Case {
        var file: String
        var status: Int32
        var message: String
    }

    static func cases() throws -> [Case] {
        try FileManager.default.contentsOfDirectory(atPath: corpus).filter { $0.hasSuffix(".toml") }.sorted().map { name in
            let text = try String(contentsOfFile: corpus + "/" + name, encoding: .utf8)
            func header(_ key: String) -> String? {
                text.split(separator: "\n").first { $0.hasPrefix("# \(key): ") }.map { String($0.dropFirst(key.count + 4)) }
            }
            return Case(file: name, status: Int32(header("expect-status") ?? "") ?? -1, message: header("expect-message") ?? "")
        }
    }

    /// Every entry under `directory`, recursively, so a test can tell that nothing changed.
    static func listing(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
    }

    /// A scratch directory with the profile and an empty `src/`, the cwd of both commands.
    static func check(profileName: String, contents: Data, status expected: Int32, message: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("temper-broken-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/src", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/" + profileName
        FileManager.default.createFile(atPath: path, contents: contents)
        let before = listing(directory)
        for arguments in [["plan", path], ["run", path], ["run", path, "--fresh"], ["bench", path], ["tune", path]] {
            let (status, output) = try await Temper.run(arguments, in: directory)
            #expect(status == expected, "\(profileName): `temper \(arguments[0])` exited \(status), expected \(expected):\n\(output)")
            #expect(output.contains(message), "\(profileName): `temper \(arguments[0])` said:\n\(output)\nexpected to contain: \(message)")
            #expect(output.contains(profileName), "\(profileName): the message does not name the file:\n\(output)")
            #expect(!output.contains("Fatal error") && !output.contains("NSCocoaErrorDomain"), "\(profileName): \(output)")
            #expect(listing(directory) == before, "\(profileName): `temper \(arguments[0])` created or deleted files: \(listing(directory))")
        }
    }

    @Test func everyBrokenProfileIsRefusedWithItsMessageAndTouchesNothing() async throws {
        let cases = try Self.cases()
        #expect(cases.count >= 60)
        for item in cases {
            #expect(item.status == 2 && !item.message.isEmpty, "\(item.file): the corpus file lacks its expect-status / expect-message header")
            try await Self.check(
                profileName: item.file, contents: try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/" + item.file)),
                status: item.status, message: item.message)
        }
    }

    /// Files that are not UTF-8 TOML text: the message names the problem, not Foundation's.
    @Test func unreadableProfilesNameTheProblem() async throws {
        let valid = "version = 1\nname = \"x\"\n"
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(valid.data(using: .utf16LittleEndian)!)
        try await Self.check(profileName: "utf16.toml", contents: utf16, status: 2, message: "it is UTF-16")
        try await Self.check(profileName: "latin1.toml", contents: Data("name = \"caf".utf8) + Data([0xE9, 0x22, 0x0A]), status: 2, message: "not valid UTF-8 (first bad byte at offset 11)")
        // A large file with a bad byte at its end is found in one pass, not by trying every prefix.
        try await Self.check(
            profileName: "large-latin1.toml", contents: Data(repeating: UInt8(ascii: "#"), count: 1_000_000) + Data([0xE9, 0x0A]),
            status: 2, message: "not valid UTF-8 (first bad byte at offset 1000000)")
        try await Self.check(profileName: "nul.toml", contents: Data("version = 1\0\n".utf8), status: 2, message: "NUL")
        try await Self.check(profileName: "empty.toml", contents: Data(), status: 2, message: "missing required key `version`")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("temper-broken-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/profile.toml", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (dirStatus, dirOutput) = try await Temper.run(["plan", directory + "/profile.toml"], in: directory)
        #expect(dirStatus == 2 && dirOutput.contains("profile.toml: cannot read the pipeline profile: it is a directory"))
        let (missingStatus, missingOutput) = try await Temper.run(["run", directory + "/nope.toml"], in: directory)
        #expect(missingStatus == 2 && missingOutput.contains("nope.toml: cannot read the pipeline profile: no such file"))
        #expect(Self.listing(directory) == ["profile.toml"])
    }
}
