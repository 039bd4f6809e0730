# Managed by agentfleet: fleet=lab tenant=team agent=worker
# Read-only access to exactly the secrets this agent declares.

path "secret/data/team/worker/db" {
  capabilities = ["read"]
}
