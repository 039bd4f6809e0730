"""POST /v1/jobs/parse with the HCL2 subset."""
from tests.support.nomad_api.schema import validate_job
from tests.unit.support.nomad_api.helpers import Client

JOB_HCL = '''
variable "image" {
  type    = string
  default = "nginx:1.27"
}
variable "count" {
  type = number
}
variable "tier" {
  type    = string
  default = "blue"
}

job "web" {
  datacenters = ["dc1"]
  type        = "service"
  meta {
    owner = "fleet"
  }

  update {
    max_parallel     = 1
    min_healthy_time = "10s"
    auto_revert      = true
  }

  group "app" {
    count = var.count
    network {
      port "http" { to = 8080 }
      port "admin" { static = 9000 }
    }
    constraint {
      distinct_hosts = true
    }
    service {
      name = "web-${var.tier}"
      port = "http"
      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
    }
    task "main" {
      driver = "docker"
      config {
        image = var.image
        ports = ["http"]
        mount {
          type   = "bind"
          target = "/data"
        }
      }
      env {
        MODE = "prod"
      }
      template {
        data        = <<-EOT
          hello {{ env "NOMAD_ALLOC_ID" }}
        EOT
        destination = "local/hello.txt"
      }
      resources {
        cpu        = 200
        memory     = 256
        memory_max = 512
      }
      kill_timeout = "1m30s"
    }
  }
}
'''


def _parse(client, text, variables="", canonicalize=False):
    body = {"JobHCL": text, "Variables": variables, "Canonicalize": canonicalize}
    return client.call("POST", "/v1/jobs/parse", body)


def test_parse_supported_subset(client):
    resp = _parse(client, JOB_HCL, variables='count = 3\nimage = "nginx:1.28"\ntier = "green"')
    assert resp.status_code == 200, resp.text
    job = resp.json()
    assert validate_job(job) == []
    assert (job["ID"], job["Name"], job["Meta"]) == ("web", "web", {"owner": "fleet"})
    assert job["Update"] == {"MaxParallel": 1, "MinHealthyTime": 10 * 10**9, "AutoRevert": True}
    group = job["TaskGroups"][0]
    assert group["Count"] == 3 and group["Name"] == "app"
    net = group["Networks"][0]
    assert net["DynamicPorts"] == [{"Label": "http", "To": 8080}]
    assert net["ReservedPorts"] == [{"Label": "admin", "Value": 9000}]
    assert group["Constraints"] == [{"Operand": "distinct_hosts", "RTarget": "true"}]
    svc = group["Services"][0]
    assert svc["Name"] == "web-green" and svc["Checks"][0]["Interval"] == 10 * 10**9
    task = group["Tasks"][0]
    assert task["Config"]["image"] == "nginx:1.28"
    assert task["Config"]["mount"] == [{"type": "bind", "target": "/data"}]
    assert task["Env"] == {"MODE": "prod"}
    assert task["Templates"][0]["EmbeddedTmpl"] == 'hello {{ env "NOMAD_ALLOC_ID" }}\n'
    assert task["Resources"] == {"CPU": 200, "MemoryMB": 256, "MemoryMaxMB": 512}
    assert task["KillTimeout"] == 90 * 10**9


def test_parsed_job_registers_and_canonicalizes(client):
    job = _parse(client, JOB_HCL, variables="count = 1").json()
    assert client.call("POST", "/v1/jobs", {"Job": job}).status_code == 200
    canon = _parse(client, JOB_HCL, variables="count = 1", canonicalize=True).json()
    assert canon["TaskGroups"][0]["RestartPolicy"]["Mode"] == "fail"
    plan = client.call("POST", "/v1/job/web/plan", {"Job": canon, "Diff": True}).json()
    assert plan["Diff"]["Type"] == "None"


def test_unset_variable_and_unsupported_input_are_400(client):
    resp = _parse(client, JOB_HCL)
    assert resp.status_code == 400 and 'Unset variable "count"' in resp.text
    resp = _parse(client, 'job "x" { group "g" { count = max(1, 2) } }')
    assert resp.status_code == 400 and "function calls are not supported" in resp.text
    resp = _parse(client, 'job "x" { bogus = 1 }')
    assert resp.status_code == 400 and 'argument named "bogus"' in resp.text
    resp = _parse(client, 'job "x" { group "g" { task "t" { resources { cpu = 1 } '
                          'kill_timeout = "5 sec" } } }')
    assert resp.status_code == 400 and "invalid duration" in resp.text
    resp = client.call("POST", "/v1/jobs/parse", {"JobHCL": "job {}", "hclv1": True})
    assert resp.status_code == 400


def test_parse_needs_read_or_parse_capability(nomad_api):
    anon = Client(nomad_api, "")
    assert _parse(anon, JOB_HCL, variables="count = 1").status_code == 403
    tok = Client(nomad_api, nomad_api.make_token(
        ["p"], {"p": 'namespace "default" { capabilities = ["parse-job"] }'}))
    assert _parse(tok, JOB_HCL, variables="count = 1").status_code == 200
