{# Models land in the namespace their folder names (staging, marts), not in
   <target schema>_<custom> as dbt's default does. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
