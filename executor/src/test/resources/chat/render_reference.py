#!/usr/bin/env python3
"""Renders Canopy's chat-template corpus and syntax suite with Python Jinja2, configured as Hugging Face
transformers configures it (chat_template_utils: ImmutableSandboxedEnvironment(trim_blocks=True,
lstrip_blocks=True, extensions=[loopcontrols]), its tojson, raise_exception and strftime_now), and writes
the outputs the Java tests compare against byte for byte.

Run from this directory:  python3 render_reference.py      (Debian: apt-get install python3-jinja2)
strftime_now reads a fixed clock (2024-07-26T10:00:00Z) so that the outputs do not change from day to day;
the tests give Canopy the same clock.
"""
import datetime
import json
import os

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = datetime.datetime(2024, 7, 26, 10, 0, 0, tzinfo=datetime.timezone.utc)


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        # transformers' tojson: plain json.dumps, no HTML escaping
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def continue_final(rendered, chat):
    """transformers' apply_chat_template(continue_final_message=True): cut the prompt after the last message."""
    final_message = chat[-1]["content"]
    if final_message.strip() not in rendered:
        raise ValueError("continue_final_message is set but the final message does not appear in the chat after "
                         "applying the chat template")
    loc = rendered.rindex(final_message.strip())
    if rendered[loc: loc + len(final_message.lstrip())] == final_message:
        return rendered[: loc + len(final_message.lstrip())]
    return rendered[: loc + len(final_message.strip())]


def outcome(render):
    try:
        return {"output": render()}
    except jinja2.exceptions.TemplateSyntaxError as e:
        return {"error": type(e).__name__, "message": e.message, "line": e.lineno}
    except Exception as e:  # noqa: BLE001 - every failure is an expected outcome to compare against
        return {"error": type(e).__name__, "message": str(e)}


def corpus(env):
    folder = os.path.join(HERE, "corpus")
    with open(os.path.join(folder, "conversations.json"), encoding="utf-8") as f:
        conversations = json.load(f)
    for name in sorted(os.listdir(os.path.join(folder, "templates"))):
        if not name.endswith(".jinja"):
            continue
        base = name[: -len(".jinja")]
        with open(os.path.join(folder, "templates", name), encoding="utf-8") as f:
            source = f.read()
        with open(os.path.join(folder, "templates", base + ".json"), encoding="utf-8") as f:
            tokens = json.load(f)
        template = env.from_string(source)
        results = {}
        for case in conversations:
            def render(case=case):
                if case.get("add_generation_prompt") and case.get("continue_final_message"):
                    raise ValueError("continue_final_message and add_generation_prompt are not compatible")
                variables = dict(case.get("kwargs", {}))
                variables.update(bos_token=tokens["bos_token"], eos_token=tokens["eos_token"])
                text = template.render(messages=case["messages"], tools=case.get("tools"), documents=None,
                                       add_generation_prompt=case.get("add_generation_prompt", False), **variables)
                return continue_final(text, case["messages"]) if case.get("continue_final_message") else text
            results[case["name"]] = outcome(render)
        write(os.path.join(folder, "expected", base + ".json"), results)


def syntax(env):
    folder = os.path.join(HERE, "syntax")
    with open(os.path.join(folder, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)
    results = {}
    for case in cases:
        results[case["name"]] = outcome(lambda case=case: env.from_string(case["template"]).render(**case.get("vars", {})))
    write(os.path.join(folder, "expected.json"), results)


def write(path, results):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"jinja2": jinja2.__version__, "results": results}, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    corpus(environment())
    syntax(environment())
