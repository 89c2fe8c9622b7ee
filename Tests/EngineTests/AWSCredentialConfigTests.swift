import Engine
import SwitchyardModel
import SwitchyardServer
import Testing

@Suite struct AWSCredentialConfigTests {
    let loader = ConfigLoader(environment: ["ID": "AKIAID", "SECRET": "secret-secret"])

    @Test func keysWithoutCredentialsUseTheChainAndAssumeRoleParses() throws {
        let config = try loader.parse(
            """
            providers:
              bedrock:
                keys:
                  - name: eks
                  - name: dev
                    credentials: profile:dev
                    refresh_before_expiry_seconds: 60
                  - name: cross
                    access_key_id: env.ID
                    secret_access_key: env.SECRET
                    assume_role: {role_arn: "arn:aws:iam::123456789012:role/x", external_id: ext, session_name: gw, duration_seconds: 900}
              other:
                type: bedrock
            """)
        let keys = try #require(config.providers.first { $0.name == "bedrock" }).keys
        #expect(keys[0].awsCredentials == AWSCredentialSettings(source: .chain))
        #expect(keys[1].awsCredentials == AWSCredentialSettings(source: .profile("dev"), refreshBeforeExpirySeconds: 60))
        let cross = try #require(keys[2].awsCredentials)
        #expect(keys[2].aws == nil)
        #expect(cross.assumeRole == .init(roleArn: "arn:aws:iam::123456789012:role/x", externalId: "ext", sessionName: "gw", durationSeconds: 900))
        #expect(keys[2].secrets.contains("secret-secret"))
        let other = try #require(config.providers.first { $0.name == "other" }).keys
        #expect(other.map(\.name) == ["other-chain"] && other[0].awsCredentials?.source == .chain)
    }

    @Test func badSettingsAreRefusedWithTheirLine() {
        for (yaml, message) in [
            ("credentials: nowhere", "unknown source 'nowhere'"),
            ("assume_role: {role_arn: nope}", "expected an IAM role ARN"),
            ("value: k\n        credentials: env", "already has an API key"),
            ("assume_role: {role_arn: \"arn:aws:iam::1:role/x\", duration_seconds: 60}", "900 to 43200"),
        ] {
            #expect {
                try loader.parse("providers:\n  bedrock:\n    keys:\n      - name: k\n        \(yaml)\n")
            } throws: { error in
                "\(error)".contains(message) && (error as? ConfigError)?.line != nil
            }
        }
    }

    @Test func environmentModeTurnsOnForTheSDKsVariables() {
        #expect(ConfigLoader(environment: [:]).fromEnvironment().providers.isEmpty)
        let profile = ConfigLoader(environment: ["AWS_PROFILE": "dev"]).fromEnvironment().providers
        #expect(profile.map(\.name) == ["bedrock"] && profile[0].keys[0].awsCredentials?.source == .chain)
        let keys = ConfigLoader(environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_PROFILE": "x"]).fromEnvironment()
        #expect(keys.providers[0].keys.count == 1 && keys.providers[0].keys[0].aws != nil)
    }
}
