//! Diesel table definitions, kept by hand in step with `migrations/`.
//! The catalog test (`api/tests/isolation.rs`) checks the database side of isolation.

diesel::table! {
    tenants (id) {
        id -> Uuid,
        name -> Text,
        time_zone -> Text,
        locale -> Text,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        locale -> Text,
        email_verified_at -> Nullable<Timestamptz>,
        password_changed_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    platform_operators (user_id) {
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        purpose -> Text,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    roles (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        name -> Text,
        builtin -> Nullable<Text>,
        permissions -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    memberships (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        user_id -> Uuid,
        role_id -> Uuid,
        status -> Text,
        deactivated_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        availability -> Text,
        last_seen_at -> Nullable<Timestamptz>,
        last_active_at -> Nullable<Timestamptz>,
        max_open -> Int4,
    }
}

diesel::table! {
    teams (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        assignment -> Text,
        reassign_after_minutes -> Nullable<Int4>,
    }
}

diesel::table! {
    team_members (tenant_id, team_id, membership_id) {
        tenant_id -> Uuid,
        team_id -> Uuid,
        membership_id -> Uuid,
        created_at -> Timestamptz,
        last_assigned_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    tags (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        name -> Text,
        colour -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    invitations (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        email -> Text,
        role_id -> Uuid,
        team_ids -> Array<Uuid>,
        token_hash -> Bytea,
        invited_by -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        family_id -> Uuid,
        membership_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    audit_log (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        actor_membership_id -> Nullable<Uuid>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Uuid>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        tenant_id -> Nullable<Uuid>,
        job_type -> Text,
        data -> Jsonb,
        priority -> Int2,
        state -> Text,
        run_at -> Timestamptz,
        attempts -> Int4,
        max_attempts -> Int4,
        last_error -> Nullable<Text>,
        locked_until -> Nullable<Timestamptz>,
        locked_by -> Nullable<Text>,
        dedupe_key -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    whatsapp_numbers (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        phone_number_id -> Text,
        waba_id -> Text,
        display_phone_number -> Text,
        verified_name -> Nullable<Text>,
        quality_rating -> Nullable<Text>,
        messaging_limit -> Nullable<Text>,
        throughput_per_second -> Int4,
        status -> Text,
        sandbox -> Bool,
        access_token_enc -> Nullable<Bytea>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        default_team_id -> Nullable<Uuid>,
        failure_alerted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    contacts (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        wa_id -> Nullable<Text>,
        bsuid -> Nullable<Text>,
        profile_name -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        attributes -> Jsonb,
        name -> Nullable<Text>,
        email -> Nullable<Text>,
        notes -> Nullable<Text>,
        opt_in -> Text,
        opt_in_changed_at -> Nullable<Timestamptz>,
        opt_in_source -> Nullable<Text>,
        blocked_at -> Nullable<Timestamptz>,
        blocked_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    conversations (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        number_id -> Uuid,
        contact_id -> Uuid,
        status -> Text,
        assignee_id -> Nullable<Uuid>,
        last_inbound_at -> Nullable<Timestamptz>,
        window_expires_at -> Nullable<Timestamptz>,
        last_message_at -> Timestamptz,
        last_message_preview -> Nullable<Text>,
        referral -> Nullable<Jsonb>,
        opened_at -> Timestamptz,
        resolved_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        unread_count -> Int4,
        last_read_at -> Nullable<Timestamptz>,
        team_id -> Nullable<Uuid>,
        priority -> Text,
        snoozed_until -> Nullable<Timestamptz>,
        waiting_since -> Nullable<Timestamptz>,
        greeted_at -> Nullable<Timestamptz>,
        away_sent_at -> Nullable<Timestamptz>,
        handler -> Text,
        assigned_at -> Nullable<Timestamptz>,
        first_reply_at -> Nullable<Timestamptz>,
        sla_policy_id -> Nullable<Uuid>,
        sla_started_at -> Nullable<Timestamptz>,
        sla_paused_at -> Nullable<Timestamptz>,
        sla_paused_secs -> Int8,
        sla_first_due_at -> Nullable<Timestamptz>,
        sla_next_due_at -> Nullable<Timestamptz>,
        sla_resolve_due_at -> Nullable<Timestamptz>,
        sla_status -> Text,
        sla_breaches -> Array<Text>,
        sla_warned -> Bool,
        sla_check_at -> Nullable<Timestamptz>,
        window_warned_for -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    workflow_settings (tenant_id) {
        tenant_id -> Uuid,
        window_warning_minutes -> Nullable<Int4>,
        auto_resolve_after_hours -> Nullable<Int4>,
        auto_resolve_message -> Nullable<Text>,
        updated_at -> Timestamptz,
        opt_out_keywords -> Nullable<Array<Text>>,
        csat_enabled -> Bool,
        csat_question -> Nullable<Text>,
        csat_template_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    csat_surveys (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        conversation_id -> Uuid,
        contact_id -> Uuid,
        number_id -> Uuid,
        agent_id -> Nullable<Uuid>,
        team_id -> Nullable<Uuid>,
        message_id -> Nullable<Uuid>,
        channel -> Text,
        sent_at -> Timestamptz,
        score -> Nullable<Int2>,
        answered_at -> Nullable<Timestamptz>,
        comment -> Nullable<Text>,
        commented_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    consent_events (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        contact_id -> Uuid,
        state -> Text,
        source -> Text,
        message_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sla_policies (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        name -> Text,
        position -> Int4,
        enabled -> Bool,
        conditions -> Jsonb,
        first_response_minutes -> Nullable<Int4>,
        next_response_minutes -> Nullable<Int4>,
        resolution_minutes -> Nullable<Int4>,
        business_hours -> Bool,
        pause_when_pending -> Bool,
        pause_when_snoozed -> Bool,
        warn_percent -> Int4,
        escalation -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    routing_rules (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        name -> Text,
        position -> Int4,
        enabled -> Bool,
        conditions -> Jsonb,
        actions -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    messages (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        conversation_id -> Uuid,
        direction -> Text,
        kind -> Text,
        body -> Nullable<Text>,
        content -> Jsonb,
        wamid -> Nullable<Text>,
        reply_to_wamid -> Nullable<Text>,
        status -> Text,
        error_code -> Nullable<Int4>,
        error_title -> Nullable<Text>,
        sender_type -> Text,
        sender_id -> Nullable<Uuid>,
        pricing -> Nullable<Jsonb>,
        sent_at -> Timestamptz,
        status_at -> Timestamptz,
        created_at -> Timestamptz,
        media_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    message_statuses (tenant_id, wamid, status) {
        tenant_id -> Uuid,
        wamid -> Text,
        status -> Text,
        occurred_at -> Timestamptz,
        error_code -> Nullable<Int4>,
        error_title -> Nullable<Text>,
        pricing -> Nullable<Jsonb>,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Uuid,
        source -> Text,
        received_at -> Timestamptz,
        phone_number_id -> Nullable<Text>,
        payload -> Jsonb,
        outcome -> Text,
        error -> Nullable<Text>,
        attempts -> Int4,
    }
}

diesel::table! {
    templates (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        waba_id -> Text,
        meta_id -> Nullable<Text>,
        name -> Text,
        language -> Text,
        status -> Text,
        category -> Nullable<Text>,
        parameter_format -> Text,
        components -> Jsonb,
        rejected_reason -> Nullable<Text>,
        quality -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    media (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        origin -> Text,
        status -> Text,
        number_id -> Nullable<Uuid>,
        meta_media_id -> Nullable<Text>,
        meta_media_expires_at -> Nullable<Timestamptz>,
        mime_type -> Nullable<Text>,
        filename -> Nullable<Text>,
        size_bytes -> Nullable<Int8>,
        sha256 -> Nullable<Text>,
        storage_key -> Nullable<Text>,
        error -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        ready_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    meta_apps (tenant_id) {
        tenant_id -> Uuid,
        app_id -> Text,
        app_secret_enc -> Bytea,
        verify_token_enc -> Bytea,
        webhook_key -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    realtime_events (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Int8,
        kind -> Text,
        conversation_id -> Nullable<Uuid>,
        message_id -> Nullable<Uuid>,
        assignee_id -> Nullable<Uuid>,
        previous_assignee_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        recipient_id -> Nullable<Uuid>,
        team_id -> Nullable<Uuid>,
        previous_team_id -> Nullable<Uuid>,
        data -> Nullable<Jsonb>,
    }
}

diesel::table! {
    conversation_tags (tenant_id, conversation_id, tag_id) {
        tenant_id -> Uuid,
        conversation_id -> Uuid,
        tag_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    contact_tags (tenant_id, contact_id, tag_id) {
        tenant_id -> Uuid,
        contact_id -> Uuid,
        tag_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    notifications (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        membership_id -> Uuid,
        kind -> Text,
        conversation_id -> Uuid,
        message_id -> Nullable<Uuid>,
        actor_id -> Nullable<Uuid>,
        body -> Text,
        created_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
        emailed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    canned_responses (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        shortcut -> Text,
        title -> Nullable<Text>,
        body -> Text,
        owner_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    conversation_viewers (tenant_id, conversation_id, membership_id) {
        tenant_id -> Uuid,
        conversation_id -> Uuid,
        membership_id -> Uuid,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    composer_leases (tenant_id, conversation_id) {
        tenant_id -> Uuid,
        conversation_id -> Uuid,
        holder_id -> Uuid,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    business_hours (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        number_id -> Nullable<Uuid>,
        time_zone -> Text,
        periods -> Jsonb,
        holidays -> Jsonb,
        greeting_enabled -> Bool,
        greeting_text -> Nullable<Text>,
        away_enabled -> Bool,
        away_text -> Nullable<Text>,
        away_cooldown_hours -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contact_imports (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        created_by -> Nullable<Uuid>,
        filename -> Nullable<Text>,
        status -> Text,
        source -> Nullable<Text>,
        total -> Int4,
        processed -> Int4,
        created -> Int4,
        updated -> Int4,
        failed -> Int4,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    bots (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        number_id -> Nullable<Uuid>,
        name -> Text,
        enabled -> Bool,
        steps -> Jsonb,
        kb_threshold -> Float8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contact_import_errors (tenant_id, import_id, row_number) {
        tenant_id -> Uuid,
        import_id -> Uuid,
        row_number -> Int4,
        message -> Text,
    }
}

diesel::table! {
    bot_sessions (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        bot_id -> Uuid,
        conversation_id -> Uuid,
        step -> Int4,
        waiting -> Nullable<Text>,
        retries -> Int4,
        started_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
        outcome -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

// `search` (a generated tsvector) is read only through SQL in `knowledge.rs`.
diesel::table! {
    kb_entries (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        question -> Text,
        answer -> Text,
        keywords -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_endpoints (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        url -> Text,
        description -> Nullable<Text>,
        events -> Array<Text>,
        secret_encrypted -> Bytea,
        enabled -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_success_at -> Nullable<Timestamptz>,
        last_failure_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_deliveries (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        endpoint_id -> Uuid,
        event_id -> Uuid,
        event -> Text,
        payload -> Jsonb,
        state -> Text,
        attempts -> Int4,
        response_status -> Nullable<Int4>,
        response_excerpt -> Nullable<Text>,
        duration_ms -> Nullable<Int4>,
        created_at -> Timestamptz,
        attempted_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(memberships -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    users,
    platform_operators,
    email_tokens,
    roles,
    memberships,
    teams,
    team_members,
    tags,
    invitations,
    refresh_tokens,
    audit_log,
    jobs,
    whatsapp_numbers,
    contacts,
    conversations,
    messages,
    message_statuses,
    webhook_events,
    templates,
    media,
    meta_apps,
    realtime_events,
    conversation_tags,
    contact_tags,
    notifications,
    canned_responses,
    conversation_viewers,
    composer_leases,
    business_hours,
    routing_rules,
    contact_imports,
    contact_import_errors,
    bots,
    bot_sessions,
    kb_entries,
    sla_policies,
    workflow_settings,
    consent_events,
    webhook_endpoints,
    webhook_deliveries,
    csat_surveys,
);
