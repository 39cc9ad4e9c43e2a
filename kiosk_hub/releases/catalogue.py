"""`kiosk-hub release add`: a built release (`scripts/build-release`'s directory or .tar.gz) becomes a release on
the hub: its wheels copied under the hub's release directory with their sha256 and size, and a manifest signed with
the release key. A release is added whole or not at all: the files land under a temporary name and are renamed into
place before the row is written."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from kiosk.remote_config.envelope import timestamp
from kiosk.remote_config.schema import SCHEMA_VERSION
from kiosk.updates.manifest import PROJECT, ReleaseFile, ReleaseManifest, canonical, parse_version
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.signing import ConfigKeys
from kiosk_hub.releases.keys import release_key
from kiosk_hub.releases.models import Release

RELEASE_INFO = "release.json"  # written by scripts/build-release beside the wheels


class ReleaseAddError(ValueError):
    """The artifact cannot become a release; `code` is stable (not_a_release, release_exists, bad_release_info)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class ReleaseInfo(BaseModel):
    """What the build says of itself (`release.json`)."""

    version: str
    platform: str
    python: str
    requirement: str = Field(default="")  # default: the kiosk's full set, `vn-hospital-kiosk[kiosk]==VERSION`
    debian_packages: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class ReleaseTerms:
    expires_days: int = 90
    min_config_schema: int = SCHEMA_VERSION
    max_config_schema: int = SCHEMA_VERSION


def _unpacked(artifact: Path, work: Path) -> Path:
    if artifact.is_dir():
        return artifact
    if artifact.name.endswith(".tar.gz") and artifact.is_file():
        with tarfile.open(artifact) as tar:
            tar.extractall(work, filter="data")
        found = [p.parent for p in work.glob(f"*/{RELEASE_INFO}")]
        if len(found) == 1:
            return found[0]
    raise ReleaseAddError("not_a_release", f"{artifact}: no {RELEASE_INFO} (build it with scripts/build-release)")


def _info(bundle: Path) -> ReleaseInfo:
    try:
        info = ReleaseInfo.model_validate_json((bundle / RELEASE_INFO).read_bytes())
    except FileNotFoundError as exc:
        raise ReleaseAddError("not_a_release", f"{bundle}: no {RELEASE_INFO}") from exc
    except ValidationError as exc:
        raise ReleaseAddError("bad_release_info", str(exc)) from exc
    parse_version(info.version)
    return info


def _copy_hashed(source: Path, target: Path) -> ReleaseFile:
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    return ReleaseFile(name=source.name, sha256=digest.hexdigest(), size=size)


def add_release(
    session: Session, keys: ConfigKeys, release_dir: Path, artifact: Path, actor: str, now: datetime,
    terms: ReleaseTerms = ReleaseTerms(),
) -> Release:  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="release-add-") as work:
        bundle = _unpacked(artifact, Path(work))
        info = _info(bundle)
        if session.get(Release, info.version) is not None:
            raise ReleaseAddError("release_exists", info.version)
        wheels = sorted((bundle / "wheels").glob("*.whl"))
        if not wheels:
            raise ReleaseAddError("not_a_release", f"{bundle}: no wheels")
        release_dir.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{info.version}.", dir=release_dir))
        try:
            files = [_copy_hashed(wheel, partial / wheel.name) for wheel in wheels]
            manifest = ReleaseManifest(
                version=info.version, platform=info.platform, python=info.python, files=files,
                requirement=info.requirement or f"{PROJECT}[kiosk]=={info.version}",
                min_config_schema=terms.min_config_schema, max_config_schema=terms.max_config_schema,
                debian_packages=info.debian_packages, created_at=timestamp(now),
                expires_at=timestamp(now + timedelta(days=terms.expires_days)),
            )  # fmt: skip
            final = release_dir / info.version
            shutil.rmtree(final, ignore_errors=True)  # files of an earlier attempt that never got its row
            partial.rename(final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    key = release_key(session, keys, now)
    signed = canonical(manifest)
    release = Release(
        version=manifest.version, platform=manifest.platform, python=manifest.python, signed=signed,
        key_id=key.key_id, signature=key.sign(signed.encode("utf-8")), total_size=manifest.total_size(),
        expires_at=now + timedelta(days=terms.expires_days), created_by=actor, created_at=now,
    )  # fmt: skip
    session.add(release)
    session.flush()
    audit.record(session, now, actor, "release.added", manifest.version, files=len(files), platform=manifest.platform)
    return release


def manifest_of(release: Release) -> ReleaseManifest:
    return ReleaseManifest.model_validate(json.loads(release.signed))
