using Berth.Core.Domains;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class DomainNameConfiguration : IEntityTypeConfiguration<DomainName>
{
    public void Configure(EntityTypeBuilder<DomainName> builder)
    {
        builder.ToTable("Hosting_DomainNames");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(d => d.VirtualServerId).HasColumnName("VirtualServerID").IsRequired();
        builder.Property(d => d.Name).HasColumnName("DomainName").IsRequired();
        builder.Property(d => d.IsCloudflare).HasColumnName("IsCloudflare").IsRequired().HasDefaultValue(false);
        builder.Property(d => d.Ssl).HasColumnName("SSL").IsRequired().HasDefaultValue(false);
        builder.HasIndex(d => d.Name).IsUnique().HasDatabaseName(SeedSchema.InlineConstraintPrefix + "Hosting_DomainNames_DomainName");
        builder.HasIndex(d => d.VirtualServerId).HasDatabaseName("idx_dn_vs");
    }
}
