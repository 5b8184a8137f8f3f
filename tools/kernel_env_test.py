import json

from kernel_env import set_path


def test_set_path_keeps_argv(tmp_path):
    k = tmp_path / "kernel.json"
    k.write_text(json.dumps({"argv": ["/x/gonb", "--kernel", "{connection_file}"], "env": {}}))
    set_path(k, "/repo/.bin:/usr/bin")
    spec = json.loads(k.read_text())
    assert spec["env"]["PATH"] == "/repo/.bin:/usr/bin"
    assert spec["argv"][0] == "/x/gonb"
