import Foundation
import Logging
import Testing

@testable import Providers
@testable import SwitchyardModel

@Suite struct AWSCredentialChainTests {
    /// A temporary HOME-like directory with the two shared files, and the environment pointing at it.
    static func environment(credentials: String = "", config: String = "", _ variables: [String: String] = [:]) throws -> CredentialEnvironment {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try credentials.write(to: dir.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try config.write(to: dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        var all = [
            "HOME": dir.path, "AWS_SHARED_CREDENTIALS_FILE": dir.appendingPathComponent("credentials").path,
            "AWS_CONFIG_FILE": dir.appendingPathComponent("config").path,
        ]
        all.merge(variables) { _, new in new }
        return CredentialEnvironment(variables: all)
    }

    static func describe(_ env: CredentialEnvironment, _ settings: AWSCredentialSettings = .init()) -> String {
        CredentialChain(environment: env, region: "us-east-1").describe(settings)
    }

    @Test func stsAnswerIsReadWithItsExpiration() throws {
        let xml = MiniXML("""
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser>
                <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>se/cr&amp;et</SecretAccessKey>
                  <SessionToken>tok+en=</SessionToken><Expiration>2026-07-15T23:28:33.359Z</Expiration></Credentials>
              </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>
            """)
        #expect(xml.first("AccessKeyId") == "ASIAEXAMPLE")
        #expect(xml.first("SecretAccessKey") == "se/cr&et")
        #expect(xml.first("SessionToken") == "tok+en=")
        #expect(xml.first("Expiration").flatMap(ISO8601.parse) != nil)
        let error = MiniXML("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not &lt;allowed&gt;</Message></Error></ErrorResponse>")
        #expect(error.first("Code") == "AccessDenied")
        #expect(error.first("Message") == "not <allowed>")
    }

    @Test func sharedFilesMergeProfilesAndSkipNonProfileSections() {
        let files = SharedConfigFiles(
            credentialsText: "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s # comment\n",
            configText: "[default]\nregion = eu-west-1\n[profile dev]\nregion = us-west-2\ns3 =\n  max_concurrent_requests = 4\n[sso-session x]\nsso_region = x\n")
        #expect(files.settings("dev")["aws_access_key_id"] == "AKIADEV")
        #expect(files.settings("dev")["aws_secret_access_key"] == "s")
        #expect(files.settings("dev")["region"] == "us-west-2")
        #expect(files.settings("dev")["max_concurrent_requests"] == nil)
        #expect(files.exists("default") && !files.exists("x"))
    }

    @Test func chainOrderFollowsBoto3() throws {
        let all: [String: String] = [
            "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s", "AWS_WEB_IDENTITY_TOKEN_FILE": "/tmp/t",
            "AWS_ROLE_ARN": "arn:aws:iam::1:role/web", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds",
        ]
        let creds = "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = f\n"
        #expect(Self.describe(try Self.environment(credentials: creds, all)) == "environment")
        var rest = all
        rest["AWS_ACCESS_KEY_ID"] = nil
        #expect(Self.describe(try Self.environment(credentials: creds, rest)) == "profile default (credentials file)")
        #expect(Self.describe(try Self.environment(rest)) == "web-identity (role arn:aws:iam::1:role/web)")
        rest["AWS_WEB_IDENTITY_TOKEN_FILE"] = nil
        #expect(Self.describe(try Self.environment(rest)) == "container (http://169.254.170.2/v2/creds)")
        rest["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = nil
        #expect(Self.describe(try Self.environment(rest)) == "instance-metadata (http://169.254.169.254)")
        rest["AWS_EC2_METADATA_DISABLED"] = "true"
        #expect(Self.describe(try Self.environment(rest)).hasPrefix("none"))
    }

    @Test func profileWithRoleAndProcessAndErrors() throws {
        let config = """
            [profile base]
            credential_process = /bin/echo hi
            [profile admin]
            role_arn = arn:aws:iam::2:role/admin
            source_profile = base
            [profile loop]
            role_arn = arn:aws:iam::2:role/x
            source_profile = loop
            """
        let env = try Self.environment(config: config, ["AWS_PROFILE": "admin"])
        #expect(Self.describe(env) == "assume-role arn:aws:iam::2:role/admin from credential_process (profile base)")
        #expect(Self.describe(try Self.environment(config: config, ["AWS_PROFILE": "missing"])).contains("profile 'missing' is not in"))
        #expect(Self.describe(try Self.environment(config: config, ["AWS_PROFILE": "loop"])).contains("its own source_profile"))
        let keyed = AWSCredentialSettings(source: .profile("base"), assumeRole: .init(roleArn: "arn:aws:iam::3:role/k"))
        #expect(Self.describe(env, keyed) == "assume-role arn:aws:iam::3:role/k from credential_process (profile base)")
    }

    @Test func credentialProcessIsRunAndParsed() async throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("cp-\(UUID().uuidString).sh")
        try """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "'"$1"'", "SessionToken": "t", "Expiration": "2030-01-01T00:00:00Z"}'
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let fetched = try await ProcessCredentialSource(command: "\(script.path) 'sec ret'", profile: "p").fetch()
        #expect(fetched.access == AWSAccess(accessKeyId: "AKIAPROC", secretAccessKey: "sec ret", sessionToken: "t"))
        #expect(fetched.expiration == ISO8601.parse("2030-01-01T00:00:00Z"))
        await #expect(throws: (any Error).self) { try await ProcessCredentialSource(command: "/bin/false", profile: "p").fetch() }
    }
}

/// A source whose answers the test scripts: credentials expiring at a given time, or a failure.
final class ScriptedSource: AWSCredentialSource, @unchecked Sendable {
    let lock = NSLock()
    var answers: [Result<FetchedCredentials, CredentialFailure>]
    var calls = 0
    init(_ answers: [Result<FetchedCredentials, CredentialFailure>]) { self.answers = answers }
    var description: String { "scripted" }
    func fetch() async throws -> FetchedCredentials {
        try lock.withLock {
            calls += 1
            return try answers.count > 1 ? answers.removeFirst().get() : answers[0].get()
        }
    }
}

@Suite struct RefreshingCredentialSupplierTests {
    final class Clock: @unchecked Sendable {
        let lock = NSLock()
        var value = Date(timeIntervalSince1970: 1_000_000)
        var now: Date { lock.withLock { value } }
        func advance(_ seconds: Double) { lock.withLock { value += seconds } }
    }

    static func credentials(_ id: String, expiresAt: Date) -> FetchedCredentials {
        FetchedCredentials(access: AWSAccess(accessKeyId: id, secretAccessKey: "secret-\(id)", sessionToken: "token-\(id)"), expiration: expiresAt)
    }

    @Test func aFailedRefreshKeepsTheOldSetUntilItExpires() async throws {
        let clock = Clock()
        let source = ScriptedSource([
            .success(Self.credentials("ONE", expiresAt: clock.now + 600)), .failure(CredentialFailure("STS down")),
            .success(Self.credentials("TWO", expiresAt: clock.now + 1200)),
        ])
        let supplier = RefreshingCredentialSupplier(
            source: source, keyName: "bedrock/k", refreshBeforeExpirySeconds: 300, logger: Logger(label: "test"), now: { clock.now })
        #expect(throws: GatewayError.self) { try supplier.current() }
        #expect(await supplier.refresh())
        #expect(try supplier.current().accessKeyId == "ONE")
        // Refresh is due when less than the window is left, not before.
        let delay = try #require(supplier.nextDelay())
        #expect(delay > 260 && delay <= 300)
        clock.advance(350)
        #expect(await supplier.refresh() == false)
        #expect(try supplier.current().accessKeyId == "ONE")
        #expect(supplier.state.hasPrefix("refresh failing"))
        #expect(try #require(supplier.nextDelay()) <= 1)
        clock.advance(300)
        let error = #expect(throws: GatewayError.self) { try supplier.current() }
        #expect(error?.kind == .accessDenied)
        #expect(error?.message.contains("scripted") == true && error?.message.contains("STS down") == true)
        #expect(await supplier.refresh())
        #expect(try supplier.current().accessKeyId == "TWO")
        #expect(supplier.issuedSecrets.contains("secret-ONE") && supplier.issuedSecrets.contains("token-TWO"))
        #expect(SecretRedactor(secrets: [], live: [supplier]).redact("echo token-TWO") == "echo [redacted]")
    }

    @Test func longTermKeysAreFetchedOnce() async {
        let source = ScriptedSource([.success(FetchedCredentials(access: AWSAccess(accessKeyId: "AKIA", secretAccessKey: "s")))])
        let supplier = RefreshingCredentialSupplier(source: source, keyName: "k", refreshBeforeExpirySeconds: 300, logger: Logger(label: "t"))
        #expect(await supplier.refresh())
        #expect(supplier.nextDelay() == nil)
        await supplier.runRefreshLoop()
        #expect(source.calls == 1)
    }
}
