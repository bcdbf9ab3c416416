"""Scoring script of the online deployment.

init() reads one text blob with a token of the endpoint's managed identity,
then loads the model; run() predicts one value per input row.

Identity and blob access use the standard library only (urllib, json, ssl);
joblib, scikit-learn and numpy serve the model.

Environment variables (set by the deployment unless said otherwise):

  STORAGE_ACCOUNT_NAME, STORAGE_CONTAINER_NAME, FILE_NAME
      where the blob is.
  IDENTITY_KIND
      "system_assigned" (default) or "user_assigned".
  UAI_CLIENT_ID
      client id of the user-assigned identity; required when IDENTITY_KIND is
      "user_assigned".
  AZUREML_MODEL_DIR
      set by Azure ML; the model is read from
      $AZUREML_MODEL_DIR/model/sklearn_regression_model.pkl.
  MSI_ENDPOINT + MSI_SECRET, or IDENTITY_ENDPOINT + IDENTITY_HEADER
      set by the platform: the local managed identity token endpoint.
  BLOB_READ_MAX_ATTEMPTS (default 10), BLOB_READ_BACKOFF_SECONDS (default 2),
  BLOB_READ_BACKOFF_MAX_SECONDS (default 60)
      retries of the blob read on 403 (role assignment not yet effective) and
      on transient errors: waits of 2, 4, 8, ... seconds, each at most 60,
      about five minutes in all with the defaults.
  STORAGE_BLOB_ENDPOINT (local emulators only)
      replaces https://<account>.blob.core.windows.net, for example
      https://127.0.0.1:10000/devstoreaccount1. Must be https.
  SCORING_CA_FILE (local emulators only)
      a PEM bundle of extra certificate authorities to trust for the blob.
"""

import datetime
import json
import logging
import math
import os
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import joblib
import numpy

# The inference server aliases azureml.contrib.services to its own package;
# releases that dropped the alias still ship the class under their own name.
try:
    from azureml.contrib.services.aml_response import AMLResponse
except ImportError:
    try:
        from azureml_inference_server_http.api.aml_response import AMLResponse
    except ImportError:
        AMLResponse = None

STORAGE_RESOURCE = "https://storage.azure.com/"
# a Blob service version that Azure and Azurite 3.35 both accept
BLOB_SERVICE_VERSION = "2024-11-04"
READER_ROLE = "Storage Blob Data Reader"
MODEL_RELATIVE_PATH = os.path.join("model", "sklearn_regression_model.pkl")

SYSTEM_ASSIGNED = "system_assigned"
USER_ASSIGNED = "user_assigned"

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_BACKOFF_SECONDS = 2.0
DEFAULT_BACKOFF_MAX_SECONDS = 60.0
TOKEN_MAX_ATTEMPTS = 5
TOKEN_REFRESH_MARGIN_SECONDS = 300.0
IDENTITY_TIMEOUT_SECONDS = 10.0
BLOB_TIMEOUT_SECONDS = 30.0
LOGGED_CONTENT_CHARS = 500
MAX_ROWS = 1000

# statuses worth another attempt: RBAC propagation (403) and transient errors
RETRYABLE_BLOB_STATUSES = {403, 408, 429, 500, 502, 503, 504}
RETRYABLE_TOKEN_STATUSES = {404, 408, 429, 500, 502, 503, 504}


def _make_logger():
    # The inference server configures only its own "azmlinfsrv" logger, so a
    # logger without a handler would lose INFO records: give ours one.
    logger = logging.getLogger("onlinescoring")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        formatter = logging.Formatter(
            "%(asctime)s %(levelname).1s [%(process)d] %(name)s - %(message)s"
        )
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


LOG = _make_logger()


class ScoringConfigError(RuntimeError):
    """An environment variable that init() needs is missing or invalid."""


class IdentityError(RuntimeError):
    """No token could be had from the managed identity endpoint."""


class BlobReadError(RuntimeError):
    """The blob could not be read."""


class ClientErrorResponse:
    """A 400 answer for hosts without the inference server's AMLResponse.

    It carries what a host reads from a flask Response: status_code, headers
    and get_data(). The local host (scoring/local/host.py) maps it to HTTP 400.
    """

    def __init__(self, message, status_code=400):
        self.status_code = status_code
        self.message = message
        self.headers = {"Content-Type": "application/json"}

    def get_data(self):
        return json.dumps({"message": self.message}).encode("utf-8")

    def __repr__(self):
        return f"ClientErrorResponse({self.status_code}, {self.message!r})"


class Settings:
    """What init() reads from the environment, checked before any I/O."""

    def __init__(self, environ):
        self.account = _required(environ, "STORAGE_ACCOUNT_NAME")
        self.container = _required(environ, "STORAGE_CONTAINER_NAME")
        self.file_name = _required(environ, "FILE_NAME")
        self.model_path = os.path.join(
            _required(environ, "AZUREML_MODEL_DIR"), MODEL_RELATIVE_PATH
        )

        self.identity_kind, self.client_id = _identity_choice(environ)
        self.identity_endpoint = _identity_endpoint(environ)

        self.blob_url = _blob_url(environ, self.account, self.container, self.file_name)
        self.ca_file = environ.get("SCORING_CA_FILE") or None

        self.max_attempts = _positive_int(environ, "BLOB_READ_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)
        self.backoff_seconds = _non_negative_float(
            environ, "BLOB_READ_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS
        )
        self.backoff_max_seconds = _non_negative_float(
            environ, "BLOB_READ_BACKOFF_MAX_SECONDS", DEFAULT_BACKOFF_MAX_SECONDS
        )

    def identity_description(self):
        if self.identity_kind == USER_ASSIGNED:
            return f"user-assigned identity (client id {self.client_id})"
        return "system-assigned identity"

    def blob_description(self):
        return (
            f"blob '{self.file_name}' in container '{self.container}' "
            f"of storage account '{self.account}'"
        )


class IdentityEndpoint:
    """The managed identity token endpoint that the platform provides.

    Newer hosts set IDENTITY_ENDPOINT + IDENTITY_HEADER (api-version
    2019-08-01, header X-IDENTITY-HEADER, query client_id); Azure ML online
    deployments set MSI_ENDPOINT + MSI_SECRET (api-version 2017-09-01, header
    secret, query clientid). When both pairs are present the newer one wins.
    """

    def __init__(self, url, api_version, secret_header, secret, client_id_param, source):
        self.url = url
        self.api_version = api_version
        self.secret_header = secret_header
        self.secret = secret
        self.client_id_param = client_id_param
        self.source = source

    def token_url(self, resource, client_id):
        query = {"api-version": self.api_version, "resource": resource}
        if client_id:
            query[self.client_id_param] = client_id
        separator = "&" if "?" in self.url else "?"
        return self.url + separator + urllib.parse.urlencode(query)


class TokenCache:
    """Fetches a token for one resource and reuses it until near expiry."""

    def __init__(self, settings, resource=STORAGE_RESOURCE, clock=time.time, sleep=time.sleep):
        self._settings = settings
        self._resource = resource
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._token = None
        self._expires_at = 0.0
        self._refresh_at = 0.0
        self.fetch_count = 0

    def get(self):
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                self._fetch()
            return self._token

    def invalidate(self):
        with self._lock:
            self._token = None

    def _fetch(self):
        settings = self._settings
        endpoint = settings.identity_endpoint
        url = endpoint.token_url(self._resource, settings.client_id)
        headers = {endpoint.secret_header: endpoint.secret, "Metadata": "true"}
        # the token endpoint is local to the host: never send it to a proxy
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

        delay = 1.0
        for attempt in range(1, TOKEN_MAX_ATTEMPTS + 1):
            status, _, body, failure = _http_get(opener, url, headers, IDENTITY_TIMEOUT_SECONDS)
            if status == 200:
                break
            detail = failure or f"HTTP {status} {_identity_error_detail(body)}"
            if (status is None or status in RETRYABLE_TOKEN_STATUSES) and attempt < TOKEN_MAX_ATTEMPTS:
                LOG.warning(
                    "Token request to the managed identity endpoint failed (%s), attempt %d of %d; "
                    "retrying in %.1f s",
                    detail,
                    attempt,
                    TOKEN_MAX_ATTEMPTS,
                    delay,
                )
                self._sleep(delay)
                delay *= 2
                continue
            raise IdentityError(_token_failure_message(settings, detail, status))

        try:
            payload = json.loads(body.decode("utf-8"))
            token = payload["access_token"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise IdentityError(
                "The managed identity endpoint answered 200 without a JSON access_token "
                f"for the {settings.identity_description()}."
            ) from None

        now = self._clock()
        expires_at = _expiry(payload, now)
        lifetime = max(expires_at - now, 0.0)
        self._token = token
        self._expires_at = expires_at
        self._refresh_at = expires_at - min(TOKEN_REFRESH_MARGIN_SECONDS, lifetime / 2)
        self.fetch_count += 1
        LOG.info(
            "Got a token for %s from the managed identity endpoint (%s, api-version %s) for the %s, "
            "valid until %s",
            self._resource,
            endpoint.source,
            endpoint.api_version,
            settings.identity_description(),
            _utc(expires_at),
        )


_MODEL = None
_N_FEATURES = None
_TOKENS = None
_BLOB_TEXT = None


def init():
    """Read the blob with the endpoint's identity, then load the model."""
    global _MODEL, _N_FEATURES, _TOKENS, _BLOB_TEXT
    started = time.monotonic()
    settings = Settings(os.environ)
    LOG.info(
        "init(): %s, identity: %s, token endpoint from %s",
        settings.blob_description(),
        settings.identity_description(),
        settings.identity_endpoint.source,
    )

    _TOKENS = TokenCache(settings)
    content, properties = read_blob(settings, _TOKENS)
    text = content.decode("utf-8", errors="replace")
    shown = text if len(text) <= LOGGED_CONTENT_CHARS else text[:LOGGED_CONTENT_CHARS] + "..."
    LOG.info(
        "Blob content of %s (%d bytes, ETag %s, Last-Modified %s): %s",
        settings.blob_description(),
        len(content),
        properties.get("etag", "-"),
        properties.get("last-modified", "-"),
        json.dumps(shown, ensure_ascii=False),
    )
    _BLOB_TEXT = text

    if not os.path.isfile(settings.model_path):
        raise ScoringConfigError(
            f"No model file at {settings.model_path}: AZUREML_MODEL_DIR must hold "
            f"{MODEL_RELATIVE_PATH} (register the folder scoring/model as the model)."
        )
    model = joblib.load(settings.model_path)
    _N_FEATURES = int(getattr(model, "n_features_in_", 10))
    _MODEL = model
    LOG.info(
        "Loaded %s from %s (%d features); init() took %.2f s",
        type(model).__name__,
        settings.model_path,
        _N_FEATURES,
        time.monotonic() - started,
    )


def run(raw_data):
    """Predict one value per row of {"data": [[10 numbers], ...]}.

    Returns a list of floats, or a 400 answer (AMLResponse when the inference
    server provides it, else ClientErrorResponse) for a malformed request.
    """
    if _MODEL is None:
        raise RuntimeError("run() was called before init() completed")
    rows, problem = parse_request(raw_data, _N_FEATURES)
    if problem is not None:
        LOG.info("Rejected a scoring request: %s", problem)
        return client_error(problem)
    predictions = _MODEL.predict(numpy.asarray(rows, dtype=numpy.float64))
    return [float(value) for value in predictions]


def client_error(message):
    if AMLResponse is not None:
        return AMLResponse({"message": message}, 400, json_str=True)
    return ClientErrorResponse(message)


def parse_request(raw_data, n_features):
    """Return (rows, None) for a valid request, else (None, problem)."""
    example = '{"data": [[' + ", ".join(str(i) for i in range(1, n_features + 1)) + "]]}"
    shape = f"a JSON object with a 'data' field: a list of rows of {n_features} numbers, e.g. {example}"
    if isinstance(raw_data, (bytes, bytearray)):
        try:
            raw_data = bytes(raw_data).decode("utf-8")
        except UnicodeDecodeError:
            return None, "The request body is not UTF-8 text."
    if isinstance(raw_data, str):
        try:
            payload = json.loads(raw_data)
        except json.JSONDecodeError as error:
            return None, (
                f"The request body is not valid JSON ({error.msg} at line {error.lineno} "
                f"column {error.colno}); send {shape}."
            )
        except (ValueError, RecursionError):
            return None, f"The request body is not valid JSON; send {shape}."
    else:
        payload = raw_data

    if not isinstance(payload, dict) or "data" not in payload:
        return None, f"The request body must be {shape}."
    data = payload["data"]
    if not isinstance(data, list) or not data:
        return None, f"'data' must be a non-empty list of rows of {n_features} numbers, got {_kind(data)}."
    if len(data) > MAX_ROWS:
        return None, f"'data' has {len(data)} rows; at most {MAX_ROWS} rows are allowed per request."
    for i, row in enumerate(data):
        if not isinstance(row, list):
            return None, f"data[{i}] must be a list of {n_features} numbers, got {_kind(row)}."
        if len(row) != n_features:
            return None, f"data[{i}] has {len(row)} values; each row needs exactly {n_features} numbers."
        for j, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return None, f"data[{i}][{j}] must be a number, got {_kind(value)}."
            try:
                finite = math.isfinite(float(value))
            except OverflowError:
                finite = False
            if not finite:
                return None, f"data[{i}][{j}] must be a finite number, got {value!r}."
    return data, None


def read_blob(settings, tokens, sleep=time.sleep):
    """GET the blob with a bearer token; retry 403 and transient failures."""
    context = ssl.create_default_context()
    if settings.ca_file:
        LOG.warning("Trusting extra certificate authorities from SCORING_CA_FILE (local emulators only)")
        context.load_verify_locations(cafile=settings.ca_file)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))

    started = time.monotonic()
    delay = settings.backoff_seconds
    last = ""
    for attempt in range(1, settings.max_attempts + 1):
        headers = {
            "Authorization": "Bearer " + tokens.get(),
            "x-ms-version": BLOB_SERVICE_VERSION,
            "x-ms-date": _rfc1123_now(),
            "x-ms-client-request-id": str(uuid.uuid4()),
        }
        status, response_headers, body, failure = _http_get(
            opener, settings.blob_url, headers, BLOB_TIMEOUT_SECONDS
        )
        if status == 200:
            if attempt > 1:
                LOG.info("Read the %s on attempt %d", settings.blob_description(), attempt)
            return body, response_headers

        code = response_headers.get("x-ms-error-code") or _xml_code(body)
        last = failure or f"HTTP {status} {code or ''}".strip()
        if status == 403 and code in ("AuthenticationFailed", "InvalidAuthenticationInfo"):
            tokens.invalidate()
        retryable = status is None or status in RETRYABLE_BLOB_STATUSES
        if not retryable:
            raise BlobReadError(_blob_failure_message(settings, status, code, last))
        if attempt == settings.max_attempts:
            break
        LOG.warning(
            "Reading the %s failed (%s), attempt %d of %d; retrying in %.1f s%s",
            settings.blob_description(),
            last,
            attempt,
            settings.max_attempts,
            delay,
            " (a new role assignment can take minutes to take effect)" if status == 403 else "",
        )
        sleep(delay)
        delay = min(delay * 2, settings.backoff_max_seconds)

    elapsed = time.monotonic() - started
    if status == 403:
        raise BlobReadError(
            f"Access to the {settings.blob_description()} was denied ({last}) on all "
            f"{settings.max_attempts} attempts over {elapsed:.1f} s. Grant the endpoint's "
            f"{settings.identity_description()} the role '{READER_ROLE}' on the container or the "
            f"storage account, and let the deployment wait for it: a new role assignment can "
            f"take several minutes to take effect (BLOB_READ_MAX_ATTEMPTS and "
            f"BLOB_READ_BACKOFF_SECONDS set how long init() waits)."
        )
    raise BlobReadError(
        f"Could not read the {settings.blob_description()} at {settings.blob_url} after "
        f"{settings.max_attempts} attempts over {elapsed:.1f} s: {last}."
    )


def _http_get(opener, url, headers, timeout):
    """Return (status, lower-cased headers, body, failure); never raise for HTTP errors."""
    request = urllib.request.Request(url, headers=headers, method="GET")
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, _lower(response.headers), response.read(), None
    except urllib.error.HTTPError as error:
        try:
            body = error.read()
        except OSError:
            body = b""
        return error.code, _lower(error.headers), body, None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, {}, b"", f"{type(error).__name__}: {reason}"


def _lower(headers):
    return {key.lower(): value for key, value in (headers or {}).items()}


def _required(environ, name):
    value = (environ.get(name) or "").strip()
    if not value:
        raise ScoringConfigError(
            f"init() needs the environment variable {name}, which is missing or empty: "
            f"set it in the deployment's environment variables."
        )
    return value


def _identity_choice(environ):
    kind = (environ.get("IDENTITY_KIND") or "").strip()
    client_id = (environ.get("UAI_CLIENT_ID") or "").strip()
    if not kind:
        kind = SYSTEM_ASSIGNED
        if client_id:
            # deployments written for the tutorial set only UAI_CLIENT_ID
            LOG.info("IDENTITY_KIND is not set and UAI_CLIENT_ID is: using the user-assigned identity")
            kind = USER_ASSIGNED
    if kind not in (SYSTEM_ASSIGNED, USER_ASSIGNED):
        raise ScoringConfigError(
            f"IDENTITY_KIND must be '{SYSTEM_ASSIGNED}' or '{USER_ASSIGNED}', got '{kind}'."
        )
    if kind == USER_ASSIGNED and not client_id:
        raise ScoringConfigError(
            "IDENTITY_KIND is 'user_assigned' but UAI_CLIENT_ID is missing or empty: set "
            "UAI_CLIENT_ID to the client id (not the principal id) of the endpoint's "
            "user-assigned identity. Without it the token request asks for a system-assigned "
            "identity."
        )
    if kind == SYSTEM_ASSIGNED and client_id:
        LOG.warning("UAI_CLIENT_ID is set but IDENTITY_KIND is 'system_assigned': it is ignored")
        client_id = ""
    return kind, client_id or None


def _identity_endpoint(environ):
    identity_endpoint = (environ.get("IDENTITY_ENDPOINT") or "").strip()
    identity_header = (environ.get("IDENTITY_HEADER") or "").strip()
    msi_endpoint = (environ.get("MSI_ENDPOINT") or "").strip()
    msi_secret = (environ.get("MSI_SECRET") or "").strip()
    if identity_endpoint and identity_header:
        return IdentityEndpoint(
            identity_endpoint, "2019-08-01", "X-IDENTITY-HEADER", identity_header,
            "client_id", "IDENTITY_ENDPOINT",
        )
    if msi_endpoint and msi_secret:
        return IdentityEndpoint(
            msi_endpoint, "2017-09-01", "secret", msi_secret, "clientid", "MSI_ENDPOINT"
        )
    for endpoint_name, endpoint, secret_name, secret in (
        ("IDENTITY_ENDPOINT", identity_endpoint, "IDENTITY_HEADER", identity_header),
        ("MSI_ENDPOINT", msi_endpoint, "MSI_SECRET", msi_secret),
    ):
        if endpoint and not secret:
            raise ScoringConfigError(f"{endpoint_name} is set but {secret_name} is missing or empty.")
        if secret and not endpoint:
            raise ScoringConfigError(f"{secret_name} is set but {endpoint_name} is missing or empty.")
    raise ScoringConfigError(
        "No managed identity endpoint in the environment: the platform sets MSI_ENDPOINT and "
        "MSI_SECRET (or IDENTITY_ENDPOINT and IDENTITY_HEADER) when the endpoint has a managed "
        "identity. Give the endpoint an identity."
    )


def _blob_url(environ, account, container, file_name):
    base = (environ.get("STORAGE_BLOB_ENDPOINT") or "").strip().rstrip("/")
    if not base:
        base = f"https://{account}.blob.core.windows.net"
    if urllib.parse.urlsplit(base).scheme != "https":
        raise ScoringConfigError(
            f"STORAGE_BLOB_ENDPOINT must be an https URL (a bearer token is never sent in clear), "
            f"got '{base}'."
        )
    return f"{base}/{urllib.parse.quote(container)}/{urllib.parse.quote(file_name)}"


def _positive_int(environ, name, default):
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ScoringConfigError(f"{name} must be a whole number of at least 1, got '{raw}'.")
    return value


def _non_negative_float(environ, name, default):
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value >= 0 and math.isfinite(value)):
        raise ScoringConfigError(f"{name} must be a number of seconds of at least 0, got '{raw}'.")
    return value


def _expiry(payload, now):
    """Epoch seconds at which the token expires, from expires_on or expires_in."""
    expires_on = payload.get("expires_on")
    if expires_on is not None:
        try:
            return float(expires_on)
        except (TypeError, ValueError):
            pass
        # App Service's 2017-09-01 protocol answered a date, e.g. "06/20/2019 02:57:58 +00:00"
        for pattern in ("%m/%d/%Y %H:%M:%S %z", "%m/%d/%Y %I:%M:%S %p %z"):
            try:
                return datetime.datetime.strptime(str(expires_on), pattern).timestamp()
            except ValueError:
                continue
    expires_in = payload.get("expires_in")
    if expires_in is not None:
        try:
            return now + float(expires_in)
        except (TypeError, ValueError):
            pass
    LOG.warning("The token response has no readable expiry; the token is reused for 5 minutes")
    return now + TOKEN_REFRESH_MARGIN_SECONDS * 2


def _identity_error_detail(body):
    try:
        payload = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(payload, dict):
        return ""
    detail = payload.get("error_description") or payload.get("message") or payload.get("error") or ""
    if isinstance(detail, dict):
        detail = detail.get("message") or detail.get("code") or ""
    return str(detail)[:300]


def _token_failure_message(settings, detail, status):
    message = (
        f"Could not get a token for {STORAGE_RESOURCE} for the endpoint's "
        f"{settings.identity_description()} from {settings.identity_endpoint.source}: {detail}."
    )
    if status == 400 and settings.identity_kind == USER_ASSIGNED:
        message += (
            " Check that UAI_CLIENT_ID is the client id of a user-assigned identity attached to "
            "the endpoint."
        )
    elif status == 400:
        message += " Check that the endpoint has a system-assigned identity."
    return message


def _blob_failure_message(settings, status, code, last):
    if status == 404:
        return (
            f"The {settings.blob_description()} does not exist ({last}): check STORAGE_ACCOUNT_NAME, "
            f"STORAGE_CONTAINER_NAME and FILE_NAME."
        )
    return f"Could not read the {settings.blob_description()}: {last}."


def _xml_code(body):
    text = body.decode("utf-8", errors="replace") if body else ""
    start = text.find("<Code>")
    end = text.find("</Code>")
    if start == -1 or end <= start:
        return ""
    return text[start + len("<Code>"):end].strip()


def _rfc1123_now():
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())


def _utc(epoch_seconds):
    moment = datetime.datetime.fromtimestamp(epoch_seconds, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"a string ({json.dumps(value[:20])})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
