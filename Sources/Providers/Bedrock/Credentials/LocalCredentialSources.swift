import Foundation
import SwitchyardModel

/// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`, `AWS_CREDENTIAL_EXPIRATION`), read at each
/// fetch as botocore reads them.
struct EnvironmentCredentialSource: AWSCredentialSource {
    let environment: CredentialEnvironment
    var description: String { "environment" }

    func fetch() async throws -> FetchedCredentials {
        guard let id = environment.value("AWS_ACCESS_KEY_ID"), let secret = environment.value("AWS_SECRET_ACCESS_KEY") else {
            throw CredentialFailure("environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set")
        }
        let expiration = environment.value("AWS_CREDENTIAL_EXPIRATION").flatMap(ISO8601.parse)
        return FetchedCredentials(
            access: AWSAccess(accessKeyId: id, secretAccessKey: secret, sessionToken: environment.value("AWS_SESSION_TOKEN")),
            expiration: expiration)
    }
}

/// Keys written in a profile of `~/.aws/credentials` or `~/.aws/config`: long-term, fetched once.
struct StaticCredentialSource: AWSCredentialSource {
    let access: AWSAccess
    let description: String

    func fetch() async throws -> FetchedCredentials { FetchedCredentials(access: access) }
}

/// A profile's `credential_process`: a command whose standard output is `{"Version": 1, "AccessKeyId", …}`. Run
/// without a shell, its words split as botocore splits them (shlex).
struct ProcessCredentialSource: AWSCredentialSource {
    let command: String
    let profile: String
    var description: String { "credential_process (profile \(profile))" }

    func fetch() async throws -> FetchedCredentials {
        let words = Self.split(command)
        guard let program = words.first else { throw CredentialFailure("\(description): the command is empty") }
        let output = try await Self.run(program: program, arguments: Array(words.dropFirst()), description: description)
        let credentials = try CredentialJSON.parse(output, source: description, tokenKey: "SessionToken")
        guard CredentialJSON.Members.read(output)?.version == 1 else {
            throw CredentialFailure("\(description): the output must have \"Version\": 1")
        }
        return credentials
    }

    /// POSIX shell words: quotes group, a backslash escapes outside single quotes.
    static func split(_ command: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in command {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                inWord = true
            } else if c.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    static func run(program: String, arguments: [String], description: String) async throws -> String {
        let process = Process()
        // A bare name is looked up on PATH, as the SDKs' subprocess call does.
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: CredentialFailure("\(description): cannot run '\(program)': \(error.localizedDescription)"))
            }
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        guard status == 0 else { throw CredentialFailure("\(description): the command exited with status \(status)") }
        return String(decoding: data, as: UTF8.self)
    }
}
