{{/* Selector labels: exactly app: genai-otel-bridge. Never grow them (Deployment selectors are immutable). */}}
{{- define "gob.selectorLabels" -}}
app: genai-otel-bridge
{{- end -}}

{{/* Common labels on every object and on the pod template. */}}
{{- define "gob.labels" -}}
{{ include "gob.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
app.kubernetes.io/name: genai-otel-bridge
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end -}}

{{/* The image: values.image, else <default repository>:<appVersion> — a release installs its own binary. */}}
{{- define "gob.image" -}}
{{- if .Values.image -}}{{ .Values.image }}{{- else -}}{{ printf "genai-otel-bridge/genai-otel-bridge:%s" .Chart.AppVersion }}{{- end -}}
{{- end -}}

{{/* Render-time guards. */}}
{{- define "gob.guards" -}}
{{- if and (not .Values.configOverride) (eq (toString (dig "ha" "coordinator" "" .Values.config)) "none") (gt (int .Values.replicas) 1) -}}
{{- fail "ha.coordinator=none with replicas>1: all replicas would be leaders and double-emit. Use ha.coordinator=lease for multi-replica HA, or set replicas: 1." -}}
{{- end -}}
{{- if .Values.externalSecrets.enabled -}}
{{- if not .Values.aws.region -}}{{- fail "externalSecrets.enabled=true requires aws.region (the SecretStore provider region)" -}}{{- end -}}
{{- if not .Values.serviceAccount.esoName -}}{{- fail "externalSecrets.enabled=true requires serviceAccount.esoName (the pre-existing IRSA/workload-identity ServiceAccount the SecretStore authenticates as)" -}}{{- end -}}
{{- if not .Values.externalSecrets.grafanaConfigSecret -}}{{- fail "externalSecrets.enabled=true requires externalSecrets.grafanaConfigSecret (properties otlp-url, otlp-username)" -}}{{- end -}}
{{- if not .Values.externalSecrets.grafanaSelfTokenSecret -}}{{- fail "externalSecrets.enabled=true requires externalSecrets.grafanaSelfTokenSecret (property token)" -}}{{- end -}}
{{- if and (not .Values.externalSecrets.portkeySecret) (not .Values.externalSecrets.langsmithSecret) -}}{{- fail "externalSecrets.enabled=true requires at least one source API-key secret: set externalSecrets.portkeySecret and/or externalSecrets.langsmithSecret" -}}{{- end -}}
{{- end -}}
{{- end -}}
